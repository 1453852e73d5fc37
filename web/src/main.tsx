import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiKey, setApiKey } from './api.js';
import { DataPage } from './pages/data.js';
import { DriftPage } from './pages/drift.js';
import { ExperimentsPage } from './pages/experiments.js';
import { OverviewPage } from './pages/overview.js';
import { PredictPage } from './pages/predict.js';
import { RegistryPage } from './pages/registry.js';
import './style.css';

/** The API key for admin routes (and public ones when the server requires it); kept for this browser session. */
function ApiKey() {
  const [key, setKey] = useState(apiKey());
  return (
    <input
      type="password"
      id="admin-key"
      class="api-key"
      value={key}
      placeholder="API key"
      aria-label="API key (GNNOPS_API_KEY)"
      title="GNNOPS_API_KEY: needed to promote or roll back (and for every call when the server requires it)"
      onInput={(e) => {
        const v = (e.target as HTMLInputElement).value;
        setKey(v);
        setApiKey(v);
      }}
    />
  );
}

const PAGES = [
  ['overview', 'Overview', OverviewPage],
  ['experiments', 'Experiments', ExperimentsPage],
  ['registry', 'Registry', RegistryPage],
  ['predict', 'Predict', PredictPage],
  ['data', 'Data', DataPage],
  ['drift', 'Drift', DriftPage],
] as const;

type PageId = (typeof PAGES)[number][0];

/** `#/predict?node=3` → ['predict', URLSearchParams]. Hash routing: the server only serves real files. */
function parseHash(): [PageId, URLSearchParams] {
  const h = location.hash.replace(/^#\/?/, '');
  const [path, query] = h.split('?');
  const id = (PAGES.find((p) => p[0] === path)?.[0] ?? 'overview') as PageId;
  return [id, new URLSearchParams(query ?? '')];
}

function App() {
  const [[page, params], setRoute] = useState(parseHash);
  useEffect(() => {
    const on = () => setRoute(parseHash());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const Page = PAGES.find((p) => p[0] === page)![2];
  return (
    <>
      <header>
        <span class="brand">gnnops</span>
        <nav>
          {PAGES.map(([id, title]) => (
            <a key={id} href={`#/${id}`} class={id === page ? 'active' : ''} data-page={id}>
              {title}
            </a>
          ))}
        </nav>
        <ApiKey />
        <a class="docs" href="/docs" target="_blank" rel="noreferrer">
          API docs
        </a>
      </header>
      <main id={`page-${page}`}>
        <Page params={params} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
