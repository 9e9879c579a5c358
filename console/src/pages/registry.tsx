/**
 * The registry: feature views, entities, feature services, data sources
 * and push sources, searchable, each with its schema, ttl and tags, and
 * the links between them (source → views → services; entity → views).
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { useApi, useConsole } from "../api";
import { Loaded, PageTitle } from "../components/feedback";
import { Entities, PushSources, Services, Sources, Views } from "../components/registry-tables";
import { loadRegistry, searchRegistry } from "../registry-model";

function Section(props: { id: string; title: string; count: number; children: ComponentChildren }) {
  const { id, title, count, children } = props;
  return (
    <section aria-labelledby={id} class="card">
      <h2 id={id}>
        {title} <span class="count">({count})</span>
      </h2>
      {count === 0 ? <p class="muted">None match.</p> : children}
    </section>
  );
}

export function RegistryPage() {
  const { session } = useConsole();
  const registry = useApi(loadRegistry, []);
  const [query, setQuery] = useState("");
  return (
    <>
      <PageTitle>Registry of {session.project}</PageTitle>
      <Loaded data={registry.data} error={registry.error} what="Loading the registry">
        {(all) => {
          const r = searchRegistry(all, query);
          const found = r.views.length + r.entities.length + r.services.length + r.sources.length;
          return (
            <>
              <search class="search">
                <label for="registry-search">Search the registry</label>
                <input
                  id="registry-search"
                  type="search"
                  value={query}
                  placeholder="name, feature, tag (team=…), path"
                  onInput={(e) => setQuery(e.currentTarget.value)}
                  aria-describedby="registry-search-count"
                />
                <span id="registry-search-count" class="muted small" aria-live="polite">
                  {query ? `${found + r.pushSources.length} objects match` : ""}
                </span>
              </search>
              <Section id="h-views" title="Feature views" count={r.views.length}>
                <Views r={r} all={all} />
              </Section>
              <Section id="h-services" title="Feature services" count={r.services.length}>
                <Services r={r} />
              </Section>
              <Section id="h-entities" title="Entities" count={r.entities.length}>
                <Entities r={r} all={all} />
              </Section>
              <Section id="h-sources" title="Data sources" count={r.sources.length}>
                <Sources r={r} all={all} />
              </Section>
              <Section id="h-push" title="Push sources" count={r.pushSources.length}>
                <PushSources r={r} />
              </Section>
            </>
          );
        }}
      </Loaded>
    </>
  );
}
