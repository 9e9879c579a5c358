/**
 * The console's shell: sign-in, then the header (project picker, who is
 * signed in, sign-out), the menu of pages the token's scopes allow, and
 * the routes under /console/. Any error a page throws is shown with its
 * message instead of a blank page.
 */
import type { ComponentChildren } from "preact";
import { ErrorBoundary } from "preact-iso/lazy";
import { LocationProvider, Route, Router, useLocation } from "preact-iso/router";
import { useCallback, useMemo, useState } from "preact/hooks";
import { Console, contextFor, useConsole } from "./api";
import { PageTitle } from "./components/feedback";
import { ApplyPage } from "./pages/apply";
import { JobPage } from "./pages/job";
import { JobsPage } from "./pages/jobs";
import { OnlinePage } from "./pages/online";
import { RegistryPage } from "./pages/registry";
import { SignIn } from "./pages/sign-in";
import { TrainingPage } from "./pages/training";
import { ViewPage } from "./pages/view";
import { clearSession, loadSession, type Scope, type Session, saveSession } from "./session";

interface MenuItem {
  href: string;
  label: string;
  /** The scope the page needs; hidden from tokens without it. */
  scope: Scope;
  /** Also current for paths under it. */
  prefix?: string;
}

const MENU: MenuItem[] = [
  { href: "/console/", label: "Registry", scope: "registry:read", prefix: "/console/views/" },
  { href: "/console/jobs", label: "Jobs", scope: "registry:read", prefix: "/console/jobs/" },
  { href: "/console/online", label: "Online lookup", scope: "online:read" },
  { href: "/console/training", label: "Training set", scope: "offline:read" },
  { href: "/console/apply", label: "Apply", scope: "registry:write" },
];

function ProjectPicker() {
  const { session, setProject } = useConsole();
  const [draft, setDraft] = useState(session.project);
  const allowed = session.claims.projects;
  if (allowed && allowed.length > 0) {
    return (
      <label class="project">
        Project{" "}
        <select value={session.project} onChange={(e) => setProject(e.currentTarget.value)}>
          {[...new Set([session.project, ...allowed])].map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
    );
  }
  return (
    <form
      class="project"
      onSubmit={(e) => {
        e.preventDefault();
        if (draft.trim()) setProject(draft.trim());
      }}
    >
      <label for="project-picker">Project</label>{" "}
      <input id="project-picker" value={draft} size={12} onInput={(e) => setDraft(e.currentTarget.value)} />{" "}
      <button type="submit" class="secondary" disabled={!draft.trim() || draft.trim() === session.project}>
        Open
      </button>
    </form>
  );
}

function Header() {
  const { session, can, signOut } = useConsole();
  const { path } = useLocation();
  const scopes = [...session.claims.scopes].join(" ") || "no scopes";
  return (
    <header class="top">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <div class="brand">
        <a href="/console/">Larder</a>
      </div>
      <nav aria-label="Console">
        <ul>
          {MENU.filter((m) => can(m.scope)).map((m) => {
            const current = path === m.href || (m.prefix !== undefined && path.startsWith(m.prefix));
            return (
              <li key={m.href}>
                <a href={m.href} aria-current={current ? "page" : undefined}>
                  {m.label}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <ProjectPicker />
      <div class="who small">
        <span title={scopes}>{session.claims.subject ?? "token"}</span>{" "}
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}

function NotFound() {
  return (
    <>
      <PageTitle>No such page</PageTitle>
      <p>
        The console has no page here. <a href="/console/">Go to the registry</a>.
      </p>
    </>
  );
}

function Crash({ error }: { error: Error | null }) {
  if (!error) return null;
  return (
    <div class="error-panel" role="alert">
      <p class="error-title">
        <strong>The page failed:</strong> <code class="error-code">{error.name}</code>
      </p>
      <p class="error-message">{error.message}</p>
      <p>
        <a href="/console/">Back to the registry</a>
      </p>
    </div>
  );
}

function Shell({ children }: { children: ComponentChildren }) {
  return (
    <>
      <Header />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function Pages() {
  const [crash, setCrash] = useState<Error | null>(null);
  return (
    <>
      <Crash error={crash} />
      <ErrorBoundary onError={setCrash}>
        <Router
          onRouteChange={() => {
            setCrash(null);
            window.scrollTo(0, 0);
          }}
        >
          <Route path="/console/" component={RegistryPage} />
          <Route path="/console/views/:name" component={ViewPage} />
          <Route path="/console/jobs" component={JobsPage} />
          <Route path="/console/jobs/:kind/:id" component={JobPage} />
          <Route path="/console/online" component={OnlinePage} />
          <Route path="/console/training" component={TrainingPage} />
          <Route path="/console/apply" component={ApplyPage} />
          <Route default component={NotFound} />
        </Router>
      </ErrorBoundary>
    </>
  );
}

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<string | undefined>();
  const signOut = useCallback(() => {
    clearSession();
    setNotice("Signed out. The token was removed from this tab.");
    setSession(null);
  }, []);
  const setProject = useCallback((project: string) => {
    setSession((s) => {
      if (!s) return s;
      const next = { ...s, project };
      saveSession(next);
      return next;
    });
  }, []);
  const ctx = useMemo(() => session && contextFor(session, setProject, signOut), [session, setProject, signOut]);
  if (!ctx) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  return (
    <Console.Provider value={ctx}>
      <LocationProvider scope="/console">
        <Shell>
          <Pages key={ctx.session.project} />
        </Shell>
      </LocationProvider>
    </Console.Provider>
  );
}
