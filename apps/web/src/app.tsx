import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { NavLink, Route, Routes } from 'react-router-dom';
import { ApiProvider, createApiClient } from '@mlops/client';
import { DatasetPage, DatasetsPage } from './pages/datasets';
import { DeploymentPage } from './pages/deployment';
import { DeploymentsPage } from './pages/deployments';
import { DriftEventsPage } from './pages/drift-events';
import { EvaluationReportPage } from './pages/evaluation-report';
import { EvaluationRunsPage } from './pages/evaluation-runs';
import { ScenarioPage, ScenariosPage } from './pages/evaluation-scenarios';
import { ExperimentPage } from './pages/experiment';
import { ExperimentsPage } from './pages/experiments';
import { FeaturePage, FeaturesPage } from './pages/features';
import { ModelComparePage } from './pages/model-compare';
import { ModelVersionPage } from './pages/model-version';
import { ModelsPage } from './pages/models';
import { PromptUsagePage } from './pages/prompt-usage';
import { TemplatePage } from './pages/prompt-template';
import { PromptReviewsPage, TemplatesPage } from './pages/prompts';
import { RunComparePage } from './pages/run-compare';
import { RunPage } from './pages/run';

/** The key lives for this tab's session only (sessionStorage), never in localStorage or a cookie. */
const KEY_STORAGE = 'mlops.apiKey';
const PROBE = '/api/v1/ml/lifecycle/experiments?limit=1';

type Access = { state: 'checking' } | { state: 'open' } | { state: 'needs-key'; rejected: boolean } | { state: 'keyed'; key: string };

/** Whether the gateway wants an API key: one unauthenticated probe, then one with the stored key. */
function useAccess(): [Access, (key: string | null) => void] {
  const [key, setKey] = useState(() => sessionStorage.getItem(KEY_STORAGE));
  const [access, setAccess] = useState<Access>({ state: 'checking' });
  useEffect(() => {
    let live = true;
    const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
    fetch(PROBE, { headers })
      .then((response) => {
        if (!live) return;
        if (response.status !== 401) setAccess(key ? { state: 'keyed', key } : { state: 'open' });
        else setAccess({ state: 'needs-key', rejected: key !== null });
      })
      .catch(() => live && setAccess(key ? { state: 'keyed', key } : { state: 'open' }));
    return () => {
      live = false;
    };
  }, [key]);
  const change = (next: string | null) => {
    if (next) sessionStorage.setItem(KEY_STORAGE, next);
    else sessionStorage.removeItem(KEY_STORAGE);
    setAccess({ state: 'checking' });
    setKey(next);
  };
  return [access, change];
}

function KeyPrompt({ rejected, onKey }: { rejected: boolean; onKey: (key: string) => void }) {
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) onKey(value.trim());
  };
  return (
    <form className="key-prompt" onSubmit={submit} aria-label="API key">
      <h2>Sign in</h2>
      <p>This gateway requires an API key. It is kept for this browser tab only.</p>
      {rejected && <p className="problem">The gateway did not accept that key.</p>}
      <input type="password" autoComplete="off" placeholder="API key" value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit">Continue</button>
    </form>
  );
}

export function App() {
  const [access, setKey] = useAccess();
  const queryClient = useQueryClient();
  const key = access.state === 'keyed' ? access.key : undefined;
  const client = useMemo(() => createApiClient({ baseUrl: window.location.origin, apiKey: key }), [key]);
  const signOut = () => {
    queryClient.clear();
    setKey(null);
  };
  return (
    <div className="shell">
      <header>
        <span className="brand">MLOps Control Plane</span>
        <nav>
          <NavLink to="/experiments">Experiments</NavLink>
          <NavLink to="/models">Model registry</NavLink>
          <NavLink to="/deployments">Deployments</NavLink>
          <NavLink to="/drift-events">Drift events</NavLink>
          <NavLink to="/features">Features</NavLink>
          <NavLink to="/datasets">Datasets</NavLink>
          <NavLink to="/evaluation/scenarios">Scenarios</NavLink>
          <NavLink to="/evaluation/runs">Evaluations</NavLink>
          <NavLink to="/prompts" end>
            Prompts
          </NavLink>
          <NavLink to="/prompts/reviews">Reviews</NavLink>
          <a href="/docs">API docs</a>
        </nav>
        {key && (
          <button className="link" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>
      <main>
        {access.state === 'checking' && <p className="loading">Connecting…</p>}
        {access.state === 'needs-key' && <KeyPrompt rejected={access.rejected} onKey={setKey} />}
        {(access.state === 'open' || access.state === 'keyed') && (
          <ApiProvider client={client}>
            <Routes>
              <Route path="/" element={<ExperimentsPage />} />
              <Route path="/experiments" element={<ExperimentsPage />} />
              <Route path="/experiments/:name" element={<ExperimentPage />} />
              <Route path="/runs/compare" element={<RunComparePage />} />
              <Route path="/runs/:runId" element={<RunPage />} />
              <Route path="/models" element={<ModelsPage />} />
              <Route path="/models/:modelName/compare" element={<ModelComparePage />} />
              <Route path="/models/:modelName/:version" element={<ModelVersionPage />} />
              <Route path="/deployments" element={<DeploymentsPage />} />
              <Route path="/deployments/:id" element={<DeploymentPage />} />
              <Route path="/drift-events" element={<DriftEventsPage />} />
              <Route path="/features" element={<FeaturesPage />} />
              <Route path="/features/:name" element={<FeaturePage />} />
              <Route path="/datasets" element={<DatasetsPage />} />
              <Route path="/datasets/:id" element={<DatasetPage />} />
              <Route path="/evaluation/scenarios" element={<ScenariosPage />} />
              <Route path="/evaluation/scenarios/:name" element={<ScenarioPage />} />
              <Route path="/evaluation/runs" element={<EvaluationRunsPage />} />
              <Route path="/evaluation/runs/:runId" element={<EvaluationReportPage />} />
              <Route path="/prompts" element={<TemplatesPage />} />
              <Route path="/prompts/reviews" element={<PromptReviewsPage />} />
              <Route path="/prompts/:id" element={<TemplatePage />} />
              <Route path="/prompts/:id/:version/usage" element={<PromptUsagePage />} />
              <Route path="*" element={<p className="empty">No such page.</p>} />
            </Routes>
          </ApiProvider>
        )}
      </main>
    </div>
  );
}
