import type { AuditEntryJson } from './api.js';
import { when } from './ui.js';

/**
 * Alias changes, one row each: when, model (with `withModel`: a list over several models), alias, action,
 * from → to (∅ for none), who and why.
 */
export function AuditTable({
  id,
  entries,
  withModel,
}: {
  id: string;
  entries: readonly AuditEntryJson[];
  withModel?: boolean;
}) {
  return (
    <table id={id}>
      <thead>
        <tr>
          <th>when</th>
          {withModel && <th>model</th>}
          <th>alias</th>
          <th>action</th>
          <th>from → to</th>
          <th>who</th>
          <th>reason</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((a) => (
          <tr key={a.id}>
            <td>{when(a.at)}</td>
            {withModel && <td>{a.model}</td>}
            <td>{a.alias}</td>
            <td>{a.action}</td>
            <td>
              {a.from_version ?? '∅'} → {a.to_version ?? '∅'}
            </td>
            <td>{a.who}</td>
            <td class="reason">{a.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
