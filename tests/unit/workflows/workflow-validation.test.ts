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

/** Each check's edges, named by what a person sees: the field and the sentence. */
describe('workflow validation: the issue each check names', () => {
  const t = (id: string, needs: string[] = [], expression = '1') => ({ id, kind: 'transform', needs, config: { expression } });

  it('a definition that is not an object is one issue at the root', () => {
    expect(issues(null)).toEqual([{ field: 'definition', message: expect.stringMatching(/expected object/) }]);
  });

  it('a value no branch of a union takes is named by the first branch when none gets further (expected text)', () => {
    expect(issues({ name: 'w', steps: [http({ headers: { A: 42 } })] })).toEqual([
      { field: 'definition.steps.0.config.headers.A', message: expect.stringMatching(/expected string/) },
    ]);
    expect(issues({ name: 'w', inputs: { region: { nested: true } }, steps: [t('a')] })).toEqual([
      { field: 'definition.inputs.region', message: expect.stringMatching(/expected string/) },
    ]);
  });

  it('a union nested in a union keeps the whole path (a body key too long, inside an array)', () => {
    const long = 'k'.repeat(201);
    expect(issues({ name: 'w', steps: [http({ body: { list: [{ [long]: 1 }] } })] })).toEqual([
      { field: `definition.steps.0.config.body.list.0.${long}`, message: expect.any(String) },
    ]);
  });

  it('a duplicate id names the first step that has it; the first one’s needs are the ones that count', () => {
    const steps = [t('a', ['b'], 'steps.b'), t('b'), t('a')];
    expect(issues({ name: 'w', steps })).toEqual([{ field: 'definition.steps.2.id', message: 'duplicate step id "a" (also step 0): step ids are unique' }]);
  });

  it('a step that needs itself, and a need that names no step, are named at the need', () => {
    expect(issues({ name: 'w', steps: [t('a'), t('b', ['a', 'b', 'zz'])] })).toEqual([
      { field: 'definition.steps.1.needs.1', message: 'step "b" cannot need itself' },
      { field: 'definition.steps.1.needs.2', message: 'unknown step "zz" in needs: no step has that id' },
    ]);
  });

  it('a cycle named twice by duplicate needs is reported once; two cycles with the same letters are both reported', () => {
    expect(issues({ name: 'w', steps: [t('a', ['b']), t('b', ['a', 'a'])] })).toEqual([{ field: 'definition.steps.1.needs.0', message: 'needs form a cycle: a → b → a' }]);
    // {a, bc} and {ab, c}: spelled together both are "abc"; they are different cycles.
    expect(issues({ name: 'w', steps: [t('a', ['bc']), t('bc', ['a']), t('ab', ['c']), t('c', ['ab'])] })).toEqual([
      { field: 'definition.steps.1.needs.0', message: 'needs form a cycle: a → bc → a' },
      { field: 'definition.steps.3.needs.0', message: 'needs form a cycle: ab → c → ab' },
    ]);
  });

  it('with a cycle, reads are not checked (the cycle is the issue), even when a step of it reads another', () => {
    expect(issues({ name: 'w', steps: [t('a', ['b'], 'steps.b.output'), t('b', ['a'], 'steps.zz')] })).toEqual([
      { field: 'definition.steps.1.needs.0', message: 'needs form a cycle: a → b → a' },
    ]);
  });

  it('a transform reading a step it does not need is named, with the whole id; one read of an unknown id says so', () => {
    expect(issues({ name: 'w', steps: [t('a'), t('b2_x'), t('c', ['a'], 'steps.a.output & steps.b2_x.output & steps.nope')] })).toEqual([
      {
        field: 'definition.steps.2.config.expression',
        message: 'reads steps.b2_x, but step "b2_x" is not among the steps "c" needs (directly or through others): add it to needs',
      },
      { field: 'definition.steps.2.config.expression', message: 'reads steps.nope, but no step has the id "nope"' },
    ]);
  });

  it('in an expression, `steps.` after a name, a $ or a dot is not a read of a step', () => {
    expect(issues({ name: 'w', steps: [t('a'), t('c', [], 'foo.steps.a & $steps.a & mysteps.a & $.steps.a')] })).toEqual([]);
  });

  it('the same read twice in one field is named once; in another field again; a template in an array or at depth is found', () => {
    const put = {
      id: 'p',
      kind: 'storage',
      config: { action: 'put', datastoreId: DS, key: '{{steps.z.output}}/{{  steps.z.output }}', content: { list: [1, null, true, '{{ steps.z1 }}'], z: '{{ steps.z }}' } },
    };
    expect(issues({ name: 'w', steps: [t('z'), t('z1'), put] })).toEqual([
      { field: 'definition.steps.2.config.key', message: expect.stringContaining('reads steps.z,') },
      { field: 'definition.steps.2.config.content.list.3', message: expect.stringContaining('reads steps.z1,') },
      { field: 'definition.steps.2.config.content.z', message: expect.stringContaining('reads steps.z,') },
    ]);
  });

  it('a template outside a transform is not read as an expression, and a transform’s braces are not templates', () => {
    // An http path with `steps.z` but no {{ }} is plain text; a transform's `{{` is JSONata, read as an expression.
    expect(issues({ name: 'w', steps: [t('z'), { ...http({ path: '/steps.z' }), needs: [] }] })).toEqual([]);
  });

  it('schedule and time zone: a bad zone alone, a bad zone with a schedule, a bad cron; a good zone alone is fine', () => {
    const base = { name: 'w', steps: [t('a')] };
    const zoneMessage = 'timezone "Mars/Base" is not an IANA time zone (e.g. UTC, Europe/Paris)';
    expect(issues({ ...base, timezone: 'Mars/Base' })).toEqual([{ field: 'definition.timezone', message: zoneMessage }]);
    expect(issues({ ...base, timezone: 'Mars/Base', schedule: '0 * * * *' })).toEqual([{ field: 'definition.timezone', message: zoneMessage }]);
    expect(issues({ ...base, schedule: 'every day' })).toEqual([{ field: 'definition.schedule', message: expect.stringMatching(/^schedule is not a valid cron expression: /) }]);
    expect(issues({ ...base, timezone: 'Europe/Paris' })).toEqual([]);
    expect(issues({ ...base, timezone: 'Europe/Paris', schedule: '0 9 * * 1' })).toEqual([]);
    expect(issues({ ...base, schedule: null })).toEqual([]);
  });

  it('a null or a number inside a config is a value, not a template or an issue', () => {
    expect(issues({ name: 'w', steps: [http({ body: { a: null, b: [null, 2, false], c: { d: null } } })] })).toEqual([]);
  });

  it('each missing id is named with its type; each id is looked up once however many steps name it', () => {
    const GONE = '44444444-4444-4444-8444-444444444444';
    const calls: string[] = [];
    const counting: ReferenceLookup = {
      connection: (_ws, id) => (calls.push(`connection ${id}`), id === CONN),
      datastore: (_ws, id) => (calls.push(`datastore ${id}`), id === DS),
      secret: (_ws, id) => (calls.push(`secret ${id}`), id === SECRET),
    };
    const def = {
      name: 'w',
      steps: [
        { ...http({ connectionId: GONE, headers: { A: { $secret: GONE }, B: { $secret: SECRET } } }), id: 'one' },
        { ...http({ headers: { A: { $secret: GONE } } }), id: 'two' },
        { id: 'put', kind: 'storage', config: { action: 'put', datastoreId: GONE, key: 'k' } },
        { id: 'put2', kind: 'storage', config: { action: 'put', datastoreId: DS, key: 'k' } },
      ],
    };
    const r = validateDefinition(def, 'ws', counting);
    expect(r.ok).toBe(false);
    expect(r.issues).toEqual([
      { field: 'definition.steps.0.config.connectionId', message: `no connection with id ${GONE} in this workspace` },
      { field: 'definition.steps.0.config.headers.A.$secret', message: `no secret with id ${GONE} in this workspace (secret ids are case-sensitive UUIDs)` },
      { field: 'definition.steps.1.config.headers.A.$secret', message: `no secret with id ${GONE} in this workspace (secret ids are case-sensitive UUIDs)` },
      { field: 'definition.steps.2.config.datastoreId', message: `no datastore with id ${GONE} in this workspace` },
    ]);
    expect(calls.sort()).toEqual([`connection ${CONN}`, `connection ${GONE}`, `datastore ${DS}`, `datastore ${GONE}`, `secret ${SECRET}`, `secret ${GONE}`]);
  });

  it('in a union branch with several issues, the deepest is named (the id that is not text, before an unknown key)', () => {
    expect(issues({ name: 'w', steps: [http({ headers: { A: { $secret: 42, extra: 1 } } })] })).toEqual([
      { field: 'definition.steps.0.config.headers.A.$secret', message: expect.stringMatching(/expected string/) },
    ]);
  });

  it('a cycle reached from a step outside it is named from where it closes, once, however many steps lead into it', () => {
    expect(issues({ name: 'w', steps: [t('s', ['a']), t('a', ['b']), t('b', ['a']), t('c', ['b'])] })).toEqual([
      { field: 'definition.steps.2.needs.0', message: 'needs form a cycle: a → b → a' },
    ]);
    expect(issues({ name: 'w', steps: [t('a', ['b']), t('b', ['a']), t('c', ['b'])] })).toEqual([{ field: 'definition.steps.1.needs.0', message: 'needs form a cycle: a → b → a' }]);
  });

  it('two cycles whose ids run together the same ({a, aab} and {aa, b}) are both reported', () => {
    expect(issues({ name: 'w', steps: [t('a', ['aab']), t('aab', ['a']), t('aa', ['b']), t('b', ['aa'])] })).toEqual([
      { field: 'definition.steps.1.needs.0', message: 'needs form a cycle: a → aab → a' },
      { field: 'definition.steps.3.needs.0', message: 'needs form a cycle: aa → b → aa' },
    ]);
  });

  it('a parser error without a position is named without one', () => {
    expect(issues({ name: 'w', steps: [t('a', [], '%.a')] })).toEqual([
      { field: 'definition.steps.0.config.expression', message: "the expression is not valid JSONata: The object representing the 'parent' cannot be derived from this expression" },
    ]);
  });

  it('a long chain of diamonds is checked at once (each step’s ancestors are computed once)', () => {
    // 40 layers of two steps, each needing both of the layer before: 2^40 paths from the last step to the first.
    const steps = [t('l0a'), t('l0b')];
    for (let i = 1; i < 40; i++) steps.push(t(`l${i}a`, [`l${i - 1}a`, `l${i - 1}b`]), t(`l${i}b`, [`l${i - 1}a`, `l${i - 1}b`]));
    steps.push(t('end', ['l39a', 'l39b'], 'steps.l0a.output + steps.zz'));
    expect(issues({ name: 'w', steps })).toEqual([{ field: `definition.steps.${steps.length - 1}.config.expression`, message: 'reads steps.zz, but no step has the id "zz"' }]);
  });

  it('a valid definition is returned parsed, with no issues', () => {
    const r = validateDefinition({ name: 'w', steps: [t('a'), t('b', ['a'], 'steps.a.output')] }, 'ws', lookup);
    expect(r).toEqual({ ok: true, issues: [], definition: { name: 'w', steps: [t('a'), t('b', ['a'], 'steps.a.output')] } });
  });
});
