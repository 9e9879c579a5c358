/**
 * Sign-in: paste a bearer token, optionally name a project. The token is
 * checked with GET /config (which also names the server's default project);
 * a token the server refuses (401) is not kept. A token without
 * registry:read cannot read /config: it is kept once a project is named,
 * and each page shows what the server refuses.
 */
import { useState } from "preact/hooks";
import { LarderApiError } from "../../../src/client";
import { asApiError, clientFor } from "../api";
import { ErrorPanel } from "../components/feedback";
import { readClaims, type Session } from "../session";

export function SignIn({ onSignedIn, notice }: { onSignedIn: (s: Session) => void; notice?: string }) {
  const [token, setToken] = useState("");
  const [project, setProject] = useState("");
  const [error, setError] = useState<LarderApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const bearer = token.trim().replace(/^Bearer\s+/i, "");
    let claims: Session["claims"];
    try {
      claims = readClaims(bearer);
    } catch (err) {
      setError(asApiError(err, "INVALID_TOKEN"));
      return;
    }
    if (claims.expiresAt !== null && claims.expiresAt <= Date.now()) {
      const at = new Date(claims.expiresAt).toISOString();
      setError(asApiError(new Error(`This token expired at ${at}: mint a new one`), "TOKEN_EXPIRED"));
      return;
    }
    const wanted = project.trim() || claims.projects?.[0] || "";
    setBusy(true);
    try {
      const config = await clientFor({ token: bearer, project: wanted || undefined }).config();
      onSignedIn({ token: bearer, project: config.project, claims });
    } catch (err) {
      const failure = asApiError(err);
      if (failure.code === "FORBIDDEN" && wanted && failure.details.required_scope === "registry:read") {
        onSignedIn({ token: bearer, project: wanted, claims });
        return;
      }
      setError(
        failure.code === "FORBIDDEN" && !wanted
          ? new LarderApiError({ ...failure, message: `${failure.message}. Name the project to sign in with.` })
          : failure,
      );
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1>Larder console</h1>
      {notice ? <p class="notice">{notice}</p> : null}
      <form class="card" onSubmit={submit}>
        <label class="field" for="token">
          Bearer token
        </label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby="token-help"
          required
        />
        <p id="token-help" class="muted small">
          A JWT as the API takes it. <code>npm start</code> prints one; <code>npm run token -- --scopes admin</code>{" "}
          mints another. It stays in this tab (sessionStorage) and goes only to this server, as an Authorization header.
        </p>
        <label class="field" for="project">
          Project <span class="muted small">(empty: the server's default)</span>
        </label>
        <input
          id="project"
          type="text"
          autocomplete="off"
          spellcheck={false}
          value={project}
          onInput={(e) => setProject(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {error ? <ErrorPanel error={error} title="Sign-in failed" /> : null}
    </main>
  );
}
