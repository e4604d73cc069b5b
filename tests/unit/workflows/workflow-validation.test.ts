import { describe, expect, it } from 'vitest';
import { validateDefinition, type ReferenceLookup } from '@core/workflows/workflow-validation';
import { definitionReferences } from '@core/workflows/workflow-references';

/** The validator on its own: what `workflows:validate` answers for raw JSON (the channel takes it unparsed). */
const CONN = '11111111-1111-4111-8111-111111111111';
const DS = '22222222-2222-4222-8222-222222222222';
const SECRET = '33333333-3333-4333-8333-333333333333';
const lookup: ReferenceLookup = {
  connection: (_ws, id) => id === CONN,
  datastore: (_ws, id) => id === DS,
  secret: (_ws, id) => id === SECRET,
};
const issues = (raw: unknown) => {
  const r = validateDefinition(raw, 'ws', lookup);
  return r.ok ? [] : r.issues;
};
const http = (config: Record<string, unknown> = {}) => ({ id: 'call', kind: 'http', config: { connectionId: CONN, method: 'GET', path: '/x', ...config } });

describe('workflow validation', () => {
  it('names an unknown kind at steps.N.kind and lists the kinds', () => {
    expect(issues({ name: 'w', steps: [{ id: 'a', kind: 'shell', config: {} }] })).toEqual([
      { field: 'definition.steps.0.kind', message: 'unknown step kind: use one of storage, http, transform' },
    ]);
  });

  it('follows a union into the branch that got furthest ({"$secret"} that is not text)', () => {
    expect(issues({ name: 'w', steps: [http({ headers: { A: { $secret: 42 } } })] })).toEqual([
      { field: 'definition.steps.0.config.headers.A.$secret', message: expect.stringMatching(/expected string/) },
    ]);
  });

  it('names each unknown field', () => {
    expect(issues({ name: 'w', steps: [http({ verb: 'GET' })], owner: 'x' }).map((i) => i.field).sort()).toEqual(['definition.owner', 'definition.steps.0.config.verb']);
  });

  it('reads templates anywhere in a config, keys included, and accepts ancestors through needs', () => {
    const steps = [
      { id: 'a', kind: 'transform', config: { expression: '1' } },
      { id: 'b', kind: 'transform', needs: ['a'], config: { expression: 'steps.a.output + 1' } },
      { id: 'c', kind: 'storage', needs: ['b'], config: { action: 'put', datastoreId: DS, key: 'out/{{ steps.a.output }}.json', content: '{{steps.b.output}}' } },
      { id: 'd', kind: 'storage', needs: ['a'], config: { action: 'put', datastoreId: DS, key: 'x/{{ steps.b.output }}' } },
    ];
    expect(issues({ name: 'w', steps })).toEqual([
      { field: 'definition.steps.3.config.key', message: 'reads steps.b, but step "b" is not among the steps "d" needs (directly or through others): add it to needs' },
    ]);
  });

  it('finds secrets anywhere in a config and groups references by resource with their steps', () => {
    const def = {
      name: 'w',
      steps: [
        http({ headers: { A: { $secret: SECRET } }, body: { nested: [{ k: { $secret: SECRET } }] } }),
        { id: 'put', kind: 'storage', needs: ['call'], config: { action: 'put', datastoreId: DS, key: 'k', content: { $secret: SECRET } } },
      ],
    };
    const r = validateDefinition(def, 'ws', lookup);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(definitionReferences(r.definition)).toEqual([
      { type: 'connection', id: CONN, stepIds: ['call'] },
      { type: 'secret', id: SECRET, stepIds: ['call', 'put'] },
      { type: 'datastore', id: DS, stepIds: ['put'] },
    ]);
  });

  it('reports a longer cycle once, and a 6-field cron with seconds is a schedule', () => {
    const steps = ['a', 'b', 'c'].map((id, i, all) => ({ id, kind: 'transform', needs: [all[(i + 1) % 3]], config: { expression: '1' } }));
    expect(issues({ name: 'w', steps })).toEqual([{ field: 'definition.steps.2.needs.0', message: 'needs form a cycle: a → b → c → a' }]);
    expect(issues({ name: 'w', schedule: '*/30 * * * * *', steps: [steps[0]!].map((s) => ({ ...s, needs: [] })) })).toEqual([]);
  });
});

describe('workflow validation: messages', () => {
  it("a JSONata syntax error says the parser's message and where", () => {
    expect(issues({ name: 'w', steps: [{ id: 't', kind: 'transform', config: { expression: '{{{' } }] })).toEqual([
      { field: 'definition.steps.0.config.expression', message: 'the expression is not valid JSONata: Expected ":" before end of expression (at character 3)' },
    ]);
  });

  it('an unknown field is named with its path', () => {
    expect(issues({ name: 'w', steps: [{ ...http(), extra: 1 }] })).toEqual([{ field: 'definition.steps.0.extra', message: 'unknown field: extra' }]);
  });
});
