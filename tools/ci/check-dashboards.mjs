// Validates the Grafana dashboards shipped by the chart: well-formed dashboard JSON (unique uids and
// panel ids, every panel placed and querying the datasource variable), every query written as a
// recording rule into OUT so `promtool check rules` parses its PromQL, and every series name they
// and the alert rules use exported by the code (a renamed metric fails here, not on a dashboard).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dashboardsDir, rulesFile, out, ...sourceDirs] = process.argv.slice(2);
const problems = [];

/** Metric names the code registers: prom-client `name: '…'` and the monitor's total('…') / gauge('…'). */
function exportedMetrics() {
  const names = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/(?:name: |total\(|gauge\(|usage\()\s*'((?:mlops|http)_[a-z0-9_]+)'/g)) names.add(m[1]);
      }
    }
  };
  sourceDirs.forEach(walk);
  return names;
}
const known = exportedMetrics();
const baseName = (name) => (known.has(name) ? name : name.replace(/_(bucket|count|sum)$/, ''));
function checkNames(where, expr) {
  for (const [name] of expr.matchAll(/\b(?:mlops|http)_[a-z0-9_]+\b/g)) {
    if (!known.has(baseName(name))) problems.push(`${where}: ${name} is not a metric the code exports`);
  }
}

const rules = [];
const uids = new Set();
for (const file of readdirSync(dashboardsDir).filter((f) => f.endsWith('.json')).sort()) {
  let dashboard;
  try {
    dashboard = JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8'));
  } catch (error) {
    problems.push(`${file}: not JSON (${error.message})`);
    continue;
  }
  for (const key of ['uid', 'title', 'panels', 'schemaVersion', 'templating']) if (!(key in dashboard)) problems.push(`${file}: no ${key}`);
  if (uids.has(dashboard.uid)) problems.push(`${file}: uid ${dashboard.uid} used twice`);
  uids.add(dashboard.uid);
  if (!dashboard.templating?.list?.some((v) => v.type === 'datasource' && v.name === 'datasource')) problems.push(`${file}: no datasource variable`);
  const ids = new Set();
  for (const panel of dashboard.panels ?? []) {
    const where = `${file} panel "${panel.title}"`;
    if (ids.has(panel.id)) problems.push(`${where}: id ${panel.id} used twice`);
    ids.add(panel.id);
    const g = panel.gridPos ?? {};
    if (![g.x, g.y, g.w, g.h].every(Number.isInteger) || g.x + g.w > 24) problems.push(`${where}: gridPos ${JSON.stringify(g)}`);
    if (panel.datasource?.uid !== '${datasource}') problems.push(`${where}: not on the datasource variable`);
    if (!panel.targets?.length) problems.push(`${where}: no query`);
    for (const target of panel.targets ?? []) {
      if (!target.expr) problems.push(`${where}: target ${target.refId} has no expr`);
      checkNames(where, target.expr ?? '');
      rules.push({ record: `dashboard:check:${rules.length}`, expr: target.expr.replaceAll('$__rate_interval', '5m') });
    }
  }
}
const alertRules = readFileSync(rulesFile, 'utf8');
for (const m of alertRules.matchAll(/expr: (\|\n(?:\s{10,}.*\n)+|.*)/g)) checkNames(rulesFile, m[1]);
writeFileSync(out, JSON.stringify({ groups: [{ name: 'dashboard-queries', rules }] }, null, 2));
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`dashboards: ${uids.size} dashboards, ${rules.length} queries, every series name exported by the code`);
