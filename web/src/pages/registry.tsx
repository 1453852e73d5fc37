import { useState } from 'preact/hooks';
import { type AliasChangeResponse, ApiError, api, type ModelDetailResponse, type ModelsListResponse } from '../api.js';
import { AuditTable } from '../audit-table.js';
import { Async, Card, ErrorBox, num, useApi, when } from '../ui.js';

function ModelView({ name, onChanged }: { name: string; onChanged: () => void }) {
  const d = useApi<ModelDetailResponse>(`/api/registry/models/${encodeURIComponent(name)}`);
  const [alias, setAlias] = useState('production');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok?: AliasChangeResponse; error?: ApiError } | null>(null);
  const act = async (path: 'promote' | 'rollback', body: object) => {
    setBusy(true);
    setResult(null);
    try {
      const ok = await api<AliasChangeResponse>(`/api/registry/models/${encodeURIComponent(name)}/${path}`, {
        method: 'POST',
        body,
      });
      setResult({ ok });
      d.reload();
      onChanged();
    } catch (e) {
      setResult({ error: e instanceof ApiError ? e : new ApiError(0, String(e)) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Async state={d} what="model">
      {(m) => (
        <div id="model-detail">
          <div class="toolbar">
            <label>
              Alias{' '}
              <input
                value={alias}
                id="alias-input"
                onInput={(e) => setAlias((e.target as HTMLInputElement).value)}
                size={12}
              />
            </label>
            <label>
              Reason{' '}
              <input
                value={reason}
                onInput={(e) => setReason((e.target as HTMLInputElement).value)}
                placeholder="why (audit log)"
              />
            </label>
            <button
              type="button"
              id="rollback-btn"
              disabled={busy || !(alias in m.model.aliases)}
              onClick={() => act('rollback', { alias, reason: reason || undefined })}
            >
              Roll back {alias}
            </button>
          </div>
          {result?.error && <ErrorBox error={result.error} />}
          {result?.ok && (
            <p class="notice" id="alias-result">
              {result.ok.changed
                ? `${result.ok.model}@${result.ok.alias}: v${result.ok.from_version ?? '∅'} → v${result.ok.to_version ?? '∅'}.`
                : 'No change: the alias already points there.'}
              {result.ok.served &&
                (result.ok.served.reload_error
                  ? ` Reload failed: ${result.ok.served.reload_error}`
                  : ` Server now serves ${result.ok.served.name} v${result.ok.served.version}.`)}
            </p>
          )}
          <table id="versions">
            <thead>
              <tr>
                <th>version</th>
                <th>aliases</th>
                <th>val acc</th>
                <th>test acc</th>
                <th>model</th>
                <th>lineage</th>
                <th>created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {m.versions.map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <td>v{v.version}</td>
                  <td>
                    {v.aliases.map((a) => (
                      <span key={a} class="badge">
                        {a}
                      </span>
                    ))}
                  </td>
                  <td class="num">{num(v.metrics.val_acc_mean, 4)}</td>
                  <td class="num">{num(v.metrics.test_acc_mean, 4)}</td>
                  <td>
                    {v.model_config
                      ? `${String(v.model_config.name ?? '')} h=${String(v.model_config.hidden ?? '')} L=${String(v.model_config.layers ?? '')}`
                      : '—'}
                  </td>
                  <td class="lineage">
                    run{' '}
                    {v.run_id ? (
                      <a href={`#/experiments?run=${v.run_id}`}>
                        <code>{v.run_id.slice(0, 8)}</code>
                      </a>
                    ) : (
                      '—'
                    )}{' '}
                    · data {v.dataset ?? '—'} <code>{v.dataset_hash?.slice(0, 8) ?? ''}</code> · git{' '}
                    <code>{v.git_sha?.slice(0, 7) ?? '—'}</code>
                    {v.git_dirty ? '*' : ''} · ckpt <code>{v.checkpoint_digest.slice(0, 8)}</code>
                  </td>
                  <td>{when(v.created_at)}</td>
                  <td>
                    <button
                      type="button"
                      class="promote"
                      disabled={busy || v.aliases.includes(alias)}
                      onClick={() => act('promote', { version: v.version, alias, reason: reason || undefined })}
                    >
                      Promote to {alias}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Alias audit log</h3>
          <AuditTable id="audit" entries={[...m.audit].reverse()} />
        </div>
      )}
    </Async>
  );
}

export function RegistryPage(_: { params: URLSearchParams }) {
  const list = useApi<ModelsListResponse>('/api/registry/models');
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div class="grid">
      <Card title="Registered models" wide>
        <p class="muted">Promotions and rollbacks need the admin API key: enter it at the top right.</p>
        <Async state={list} what="models">
          {(d) => {
            const name = open ?? d.models[0]?.name ?? null;
            return d.models.length === 0 ? (
              <p class="muted">No registered model yet: gnnops train registers one.</p>
            ) : (
              <>
                <table id="models">
                  <thead>
                    <tr>
                      <th>model</th>
                      <th>latest</th>
                      <th>aliases</th>
                      <th>created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.models.map((m) => (
                      <tr
                        key={m.name}
                        class={`clickable ${name === m.name ? 'highlight' : ''}`}
                        onClick={() => setOpen(m.name)}
                      >
                        <td>{m.name}</td>
                        <td>v{m.latest_version}</td>
                        <td>
                          {Object.entries(m.aliases).map(([a, v]) => (
                            <span key={a} class="badge">
                              {a} → v{v}
                            </span>
                          ))}
                        </td>
                        <td>{when(m.created_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {name && (
                  <>
                    <h3>{name}</h3>
                    <ModelView key={name} name={name} onChanged={list.reload} />
                  </>
                )}
              </>
            );
          }}
        </Async>
      </Card>
    </div>
  );
}
