import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { registry } from '../../observability/metrics';
import { TEMPORAL_SDK_METRICS } from '../../observability/temporal-metrics';

interface Rule {
  alert?: string;
  expr: string;
  annotations?: Record<string, string>;
}

const root = path.resolve(__dirname, '../..');
const rules = (
  parse(fs.readFileSync(path.join(root, 'observability/alerts.rules.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression selects: identifiers that are not functions, keywords or label names. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)]
    .map((m) => m[1]!)
    .filter((name) => !KEYWORDS.has(name.toLowerCase()));
}

/** The series a registered metric exposes: a histogram's _bucket, _sum and _count too. */
async function exposedSeries(): Promise<Set<string>> {
  const names = new Set<string>(TEMPORAL_SDK_METRICS.flatMap((n) => [n, `${n}_bucket`, `${n}_sum`, `${n}_count`]));
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(metric.name + s);
  }
  return names;
}

describe('observability/alerts.rules.yml', () => {
  it('reads metric names out of PromQL', () => {
    assert.deepEqual(
      metricNames(
        'histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{decided_by="rules"}[10m]))) > 5 and on (x) b == 0',
      ),
      ['a_seconds_bucket', 'b'],
    );
  });

  it('names only metrics that paysaga or the Temporal SDK exposes', async () => {
    const exposed = await exposedSeries();
    for (const rule of rules) {
      const names = metricNames(rule.expr);
      assert.ok(names.length > 0, `${rule.alert}: no metric in ${rule.expr}`);
      for (const name of names)
        assert.ok(exposed.has(name), `${rule.alert}: ${name} is neither in observability/metrics.ts nor in TEMPORAL_SDK_METRICS`);
    }
  });

  it('links each alert to a section of the runbook that exists', () => {
    const runbook = fs.readFileSync(path.join(root, 'docs/runbook.md'), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^\w\s-]/g, '')
          .replace(/\s/g, '-'),
      ),
    );
    for (const rule of rules) {
      const link = rule.annotations?.runbook;
      if (!link) continue;
      assert.match(link, /^docs\/runbook\.md#/);
      assert.ok(anchors.has(link.split('#')[1]!), `${rule.alert}: no section ${link}`);
    }
  });
});
