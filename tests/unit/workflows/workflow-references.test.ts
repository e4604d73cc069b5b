import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition, WorkflowStep } from '@shared/domain/workflow';
import { definitionReferences, secretRefOf, stepReferences } from '@core/workflows/workflow-references';

/** What a definition references, with the field of each: what "Used by" and the save-time checks are built from. */
describe('workflow references', () => {
  it('a secret reference is an object with exactly one key, $secret, holding text', () => {
    expect(secretRefOf({ $secret: 'id-1' })).toBe('id-1');
    for (const v of [null, 'id-1', 5, ['id-1'], { $secret: 'id-1', x: 1 }, { other: 'id-1' }, { $secret: 5 }, {}]) expect(secretRefOf(v)).toBeNull();
  });

  it('each step names its connection or datastore and every $secret inside its config, with the field', () => {
    const http = {
      id: 'call',
      kind: 'http',
      config: { connectionId: 'c1', method: 'POST', path: '/x', headers: { 'X-Key': { $secret: 's1' } }, body: { list: [null, 'plain', { $secret: 's2' }], none: null } },
    } as unknown as WorkflowStep;
    expect(stepReferences(http)).toEqual([
      { type: 'connection', id: 'c1', field: 'config.connectionId' },
      { type: 'secret', id: 's1', field: 'config.headers.X-Key.$secret' },
      { type: 'secret', id: 's2', field: 'config.body.list.2.$secret' },
    ]);
    const storage = { id: 'put', kind: 'storage', config: { action: 'put', datastoreId: 'd1', key: 'k', content: [{ $secret: 's3' }] } } as unknown as WorkflowStep;
    expect(stepReferences(storage)).toEqual([
      { type: 'datastore', id: 'd1', field: 'config.datastoreId' },
      { type: 'secret', id: 's3', field: 'config.content.0.$secret' },
    ]);
    expect(stepReferences({ id: 't', kind: 'transform', config: { expression: '1' } } as WorkflowStep)).toEqual([]);
  });

  it('per resource, the steps that reference it, once each, in definition order', () => {
    const def = {
      name: 'w',
      steps: [
        { id: 'a', kind: 'http', config: { connectionId: 'c1', method: 'GET', path: '/', headers: { A: { $secret: 's1' }, B: { $secret: 's1' } } } },
        { id: 'b', kind: 'storage', config: { action: 'get', datastoreId: 'd1', key: 'k' } },
        { id: 'c', kind: 'http', config: { connectionId: 'c1', method: 'GET', path: '/' } },
      ],
    } as unknown as WorkflowDefinition;
    expect(definitionReferences(def)).toEqual([
      { type: 'connection', id: 'c1', stepIds: ['a', 'c'] },
      { type: 'secret', id: 's1', stepIds: ['a'] },
      { type: 'datastore', id: 'd1', stepIds: ['b'] },
    ]);
  });
});
