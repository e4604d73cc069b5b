import { describe, expect, it } from 'vitest';
import { AppError } from '@core/errors';
import { bodyWith, flag, inputFields, noBody, queryFields, restInput } from '@core/http/rest/rest-request';

const WS = '11111111-1111-4111-8111-111111111111';
const ID = '22222222-2222-4222-8222-222222222222';
const parts = (p: Partial<Parameters<typeof restInput>[2]>) => ({ params: {}, query: {}, body: undefined, workspaceId: WS, ...p });

function refused(fn: () => unknown): { message: string; field?: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return { message: (e as AppError).message, field: (e as AppError).field };
  }
  throw new Error('expected a refusal');
}

describe('flag: the one reader of ?force and the like', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
    ['', false],
    ['yes', false],
    [undefined, false],
    [['true', 'true'], false],
  ])('%j → %s', (value, expected) => expect(flag(value)).toBe(expected));
});

describe('bodyWith: the one body reader', () => {
  it('merges the body with what the URL and caller decide; no body is {}', () => {
    expect(bodyWith({ name: 'x' }, { workspaceId: WS })).toEqual({ name: 'x', workspaceId: WS });
    expect(bodyWith(undefined, { workspaceId: WS })).toEqual({ workspaceId: WS });
    expect(bodyWith(null, {})).toEqual({});
  });

  it('refuses a body that is not an object, naming the body', () => {
    for (const body of [[1, 2], 'name', 42, true]) expect(refused(() => bodyWith(body, {}))).toEqual({ message: 'the body must be a JSON object', field: 'body' });
  });

  it('refuses a body that sets a field the URL or caller decides, naming it', () => {
    expect(refused(() => bodyWith({ workspaceId: ID }, { workspaceId: WS }))).toEqual({ message: 'unknown field: workspaceId', field: 'workspaceId' });
    expect(refused(() => bodyWith({ id: ID }, { id: WS }))).toMatchObject({ field: 'id' });
  });

  it("lets an allowed field come from the body, the request's value being the default", () => {
    expect(bodyWith({ workspaceId: ID }, { workspaceId: WS }, ['workspaceId'])).toEqual({ workspaceId: ID });
    expect(bodyWith({ name: 'k' }, { workspaceId: WS }, ['workspaceId'])).toEqual({ name: 'k', workspaceId: WS });
  });
});

describe('queryFields and restInput', () => {
  it('reads the listed fields, typed by the contract, empty values left out', () => {
    const fields = inputFields('connections:list')!;
    expect(queryFields({ provider: 'slack', limit: '20', q: '' }, ['provider', 'status', 'q', 'limit'], fields)).toEqual({ provider: 'slack', limit: 20 });
  });

  it('refuses, on every route, a parameter the route does not read and a repeated one, naming it', () => {
    const list = inputFields('connections:list')!;
    expect(refused(() => queryFields({ colour: 'blue' }, ['provider'], list))).toEqual({ message: 'unknown query parameter: colour', field: 'colour' });
    expect(refused(() => queryFields({ status: ['a', 'b'] }, ['status'], list))).toEqual({ message: 'status may be given once', field: 'status' });
    expect(refused(() => queryFields({ limit: ['1', '2'] }, ['limit'], list))).toEqual({ message: 'limit may be given once', field: 'limit' });
    // A route that declares no query reads none.
    expect(refused(() => queryFields({ force: 'true' }, undefined, inputFields('secrets:get')!))).toMatchObject({ field: 'force' });
  });

  it("'strict' reads every input field the URL and caller do not decide, and refuses the rest", () => {
    const fields = inputFields('audit:list')!;
    expect(queryFields({ action: 'secret.created', limit: 'lots' }, 'strict', fields, { workspaceId: WS })).toEqual({ action: 'secret.created', limit: NaN });
    expect(refused(() => queryFields({ colour: 'blue' }, 'strict', fields, { workspaceId: WS }))).toEqual({ message: 'unknown query parameter: colour', field: 'colour' });
    expect(refused(() => queryFields({ workspaceId: ID }, 'strict', fields, { workspaceId: WS }))).toMatchObject({ field: 'workspaceId' });
    expect(refused(() => queryFields({ limit: ['1', '2'] }, 'strict', fields))).toEqual({ message: 'limit may be given once', field: 'limit' });
  });

  it('a route without a body takes none: no body, null or {} only', () => {
    for (const body of [undefined, null, {}]) expect(() => noBody(body)).not.toThrow();
    expect(refused(() => noBody({ value: 'x' }))).toEqual({ message: 'unknown field: value', field: 'value' });
    expect(refused(() => noBody([1]))).toEqual({ message: 'the body must be a JSON object', field: 'body' });
  });

  it('builds the channel input: caller, path parameters (renamed), query flags and body', () => {
    expect(restInput('datastores:delete', { params: { id: 'datastoreId' }, query: ['force'] }, parts({ params: { id: ID }, query: { force: '1' } }))).toEqual({
      workspaceId: WS,
      datastoreId: ID,
      force: true,
    });
    expect(restInput('secrets:delete', { query: ['force'] }, parts({ params: { id: ID }, query: { force: 'no' } }))).toEqual({ workspaceId: WS, id: ID });
    expect(restInput('datastores:objects:delete', { params: { id: 'datastoreId', '*': 'key' } }, parts({ params: { id: ID, '*': 'a/b.csv' } }))).toEqual({
      workspaceId: WS,
      datastoreId: ID,
      key: 'a/b.csv',
    });
    expect(restInput('secrets:update', { body: true }, parts({ params: { id: ID }, body: { description: 'd' } }))).toEqual({ workspaceId: WS, id: ID, description: 'd' });
    // A route without a body refuses one with fields; an empty one is no input.
    expect(restInput('secrets:reveal', {}, parts({ params: { id: ID }, body: {} }))).toEqual({ workspaceId: WS, id: ID });
    expect(refused(() => restInput('secrets:reveal', {}, parts({ params: { id: ID }, body: { value: 'x' } })))).toEqual({ message: 'unknown field: value', field: 'value' });
    // A channel without input gets none, and refuses whatever else the request carries.
    expect(restInput('settings:get', { body: true }, parts({ body: {} }))).toBeUndefined();
    expect(refused(() => restInput('settings:get', { body: true }, parts({ body: { a: 1 } })))).toMatchObject({ field: 'a' });
    expect(refused(() => restInput('settings:get', {}, parts({ query: { a: '1' } })))).toMatchObject({ field: 'a' });
  });
});
