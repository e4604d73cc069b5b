import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { IpcError } from '@shared/ipc/result';
import type { Workflow, WorkflowSummary } from '@shared/domain/workflow';
import { emptyList, firstPage, latestOnly, nextPage, requireWorkspace, type ListState } from '../../state/list-state';
import { findReferences, mergeIssues, missingReferenceIssues, parseDefinition, type Issue, type RefOptions } from './workflow-references';

type Version = { version: number; createdAt: string; createdBy: { kind: string; id: string | null; name: string | null } };

/**
 * The editor's text and where it came from. `workflowId` null: a new or imported definition not saved yet.
 * `viewingVersion`: an older version shown read-only (Save is off until the latest is reopened).
 */
export type Draft = { workflowId: string | null; baseVersion: number | null; text: string; dirty: boolean; viewingVersion: number | null };

export type WorkflowsState = ListState<WorkflowSummary> & {
  workspaceId?: string;
  search: string;
  selectedId?: string;
  detail?: Workflow;
  detailError?: IpcError;
  versions: Version[];
  draft?: Draft;
  /** The step to show first (a "Used by" link names one). */
  focusStepId?: string;
  /** The server's answer for the current text, merged with the local reference check. */
  issues: Issue[];
  validating: boolean;
  /** Save answered CONFLICT: someone saved a newer version. */
  conflict: boolean;
  schema?: Record<string, unknown>;
  options: RefOptions;
  load(workspaceId: string, search?: string): Promise<void>;
  loadMore(): Promise<void>;
  /** Opens a saved workflow (its latest version) in the editor. */
  select(id: string | undefined, opts?: { stepId?: string }): Promise<void>;
  /** An unsaved definition in the editor (New from a file, Import). */
  openUnsaved(text: string): void;
  setText(text: string): void;
  /** Asks the core to check the current text as save would (the editor calls it on a debounce). */
  validate(): Promise<void>;
  save(): Promise<IpcError | null>;
  create(input: { name: string; description?: string }): Promise<IpcError | null>;
  remove(id: string): Promise<IpcError | null>;
  viewVersion(version: number | null): Promise<IpcError | null>;
  loadSchema(): Promise<void>;
  /** The connections, secrets and datastores of the workspace, by name, for the pickers and the local check. */
  loadOptions(): Promise<void>;
  /** The local check again (after the options changed). */
  recheck(): void;
  /** Follows definitions changed elsewhere (another window, REST): the list reloads, the open one refreshes if clean. */
  listen(workspaceId: string): () => void;
};

const PAGE = 200;
const OPTION_PAGE = 500;

/** A new workflow's first definition: valid as it is, so it can be saved and then edited. */
export function starterDefinition(name: string, description?: string): string {
  const def = {
    name,
    ...(description ? { description } : {}),
    steps: [{ id: 'hello', kind: 'transform', config: { expression: '{"message": "hello from " & "' + name.replace(/["\\]/g, '') + '"}' } }],
  };
  return JSON.stringify(def, null, 2);
}

export const prettyDefinition = (w: Workflow): string => JSON.stringify(w.definition, null, 2);

/** Workflows screen state: the list, the open workflow, the editor's draft and its validation, the pickers' options. */
export const createWorkflowsStore = (api: Api) =>
  createStore<WorkflowsState>()((set, get) => {
    const loads = latestOnly();
    const checks = latestOnly();
    const ws = () => requireWorkspace(get().workspaceId, 'workflows');
    const localIssues = (text: string): Issue[] => {
      const parsed = parseDefinition(text);
      if (!parsed.ok) return [{ field: '(file)', message: parsed.message }];
      return missingReferenceIssues(findReferences(parsed.value), get().options);
    };
    const showWorkflow = (w: Workflow) =>
      set({ detail: w, detailError: undefined, conflict: false, draft: { workflowId: w.id, baseVersion: w.version, text: prettyDefinition(w), dirty: false, viewingVersion: null } });
    const loadVersions = async (id: string) => {
      const r = await api.invoke('workflows:versions', { workspaceId: ws(), id });
      if (get().selectedId === id) set({ versions: r.ok ? r.value.items : [] });
    };
    /** Shows the newest version of the open workflow in place (no flash of the list), unless the admin has edits. */
    const refreshOpen = async (id: string) => {
      const r = await api.invoke('workflows:get', { workspaceId: ws(), id });
      const d = get().draft;
      if (!r.ok || get().selectedId !== id || !d || d.dirty || d.viewingVersion !== null) return;
      showWorkflow(r.value);
      get().recheck();
      await loadVersions(id);
    };
    return {
      ...emptyList<WorkflowSummary>(),
      search: '',
      versions: [],
      issues: [],
      validating: false,
      conflict: false,
      options: { connection: [], secret: [], datastore: [] },
      async load(workspaceId, search = get().search) {
        const current = loads.next();
        if (workspaceId !== get().workspaceId) set({ selectedId: undefined, detail: undefined, draft: undefined, versions: [], issues: [] });
        set({ status: get().items.length && workspaceId === get().workspaceId ? get().status : 'loading', workspaceId, search });
        const r = await api.invoke('workflows:list', { workspaceId, limit: PAGE, ...(search.trim() ? { q: search.trim() } : {}) });
        if (current()) set(firstPage(r));
      },
      async loadMore() {
        const { workspaceId, nextCursor, search } = get();
        if (!workspaceId || !nextCursor) return;
        const current = loads.same();
        const r = await api.invoke('workflows:list', { workspaceId, limit: PAGE, cursor: nextCursor, ...(search.trim() ? { q: search.trim() } : {}) });
        if (current()) set(nextPage(get().items, r));
      },
      async select(id, opts = {}) {
        set({ selectedId: id, detail: undefined, detailError: undefined, versions: [], focusStepId: opts.stepId, issues: [], conflict: false, draft: undefined });
        if (!id) return;
        const r = await api.invoke('workflows:get', { workspaceId: ws(), id });
        if (get().selectedId !== id) return;
        if (!r.ok) return set({ detailError: r.error });
        showWorkflow(r.value);
        get().recheck();
        await loadVersions(id);
      },
      openUnsaved(text) {
        set({ selectedId: undefined, detail: undefined, detailError: undefined, versions: [], conflict: false, focusStepId: undefined });
        set({ draft: { workflowId: null, baseVersion: null, text, dirty: true, viewingVersion: null }, issues: localIssues(text) });
      },
      setText(text) {
        const d = get().draft;
        if (!d || d.viewingVersion !== null || d.text === text) return;
        set({ draft: { ...d, text, dirty: true } });
      },
      async validate() {
        const d = get().draft;
        if (!d || !get().workspaceId) return;
        const current = checks.next();
        const local = localIssues(d.text);
        const parsed = parseDefinition(d.text);
        if (!parsed.ok) return set({ issues: local, validating: false });
        set({ validating: true });
        const r = await api.invoke('workflows:validate', { workspaceId: ws(), definition: parsed.value });
        if (!current()) return;
        // The core not answering (not merged yet, vault locked) leaves the local check on screen.
        set({ validating: false, issues: r.ok ? mergeIssues(r.value.issues, local) : local });
      },
      async save() {
        const d = get().draft;
        if (!d || d.viewingVersion !== null) return null;
        const parsed = parseDefinition(d.text);
        if (!parsed.ok) return { code: 'INVALID_INPUT', message: parsed.message };
        // The core validates the definition (zod + DAG + references); the renderer has no zod to type it with.
        const definition = parsed.value as Workflow['definition'];
        const r = d.workflowId
          ? await api.invoke('workflows:update', { workspaceId: ws(), id: d.workflowId, definition, ...(d.baseVersion ? { expectedVersion: d.baseVersion } : {}) })
          : await api.invoke('workflows:create', { workspaceId: ws(), definition });
        if (!r.ok) {
          if (r.error.code === 'CONFLICT') set({ conflict: true });
          return r.error;
        }
        set({ selectedId: r.value.id, versions: [] });
        showWorkflow(r.value);
        await Promise.all([get().load(ws()), loadVersions(r.value.id)]);
        return null;
      },
      async create({ name, description }) {
        const parsed = JSON.parse(starterDefinition(name, description)) as Workflow['definition'];
        const r = await api.invoke('workflows:create', { workspaceId: ws(), definition: parsed });
        if (!r.ok) return r.error;
        await get().load(ws());
        await get().select(r.value.id);
        return null;
      },
      async remove(id) {
        const r = await api.invoke('workflows:delete', { workspaceId: ws(), id });
        if (!r.ok) return r.error;
        if (get().selectedId === id) await get().select(undefined);
        await get().load(ws());
        return null;
      },
      async viewVersion(version) {
        const id = get().selectedId;
        if (!id) return null;
        const r = await api.invoke('workflows:get', { workspaceId: ws(), id, ...(version ? { version } : {}) });
        if (!r.ok) return r.error;
        if (get().selectedId !== id) return null;
        const latest = version === null || version === get().versions[0]?.version;
        if (latest) showWorkflow(r.value);
        else set({ draft: { workflowId: id, baseVersion: null, text: prettyDefinition(r.value), dirty: false, viewingVersion: r.value.version } });
        get().recheck();
        return null;
      },
      async loadSchema() {
        if (get().schema || !get().workspaceId) return;
        const r = await api.invoke('workflows:schema', { workspaceId: ws() });
        if (r.ok) set({ schema: r.value });
      },
      async loadOptions() {
        const workspaceId = ws();
        const [c, s, d] = await Promise.all([
          api.invoke('connections:list', { workspaceId, limit: OPTION_PAGE }),
          api.invoke('secrets:list', { workspaceId, limit: OPTION_PAGE }),
          api.invoke('datastores:list', { workspaceId, limit: OPTION_PAGE }),
        ]);
        if (workspaceId !== get().workspaceId) return;
        set({
          options: {
            connection: c.ok ? c.value.items.map((x) => ({ id: x.id, name: x.name, detail: `${x.provider} · ${x.status}` })) : [],
            secret: s.ok ? s.value.items.map((x) => ({ id: x.id, name: x.name, detail: x.description || undefined })) : [],
            datastore: d.ok ? d.value.items.map((x) => ({ id: x.id, name: x.name, detail: x.backend.type === 's3' ? `S3 · ${x.backend.bucket}` : 'this machine' })) : [],
          },
        });
        get().recheck();
      },
      recheck() {
        const d = get().draft;
        if (d) set({ issues: mergeIssues(get().issues.filter((i) => !i.message.startsWith('no ') && i.field !== '(file)'), localIssues(d.text)) });
      },
      listen(workspaceId) {
        return api.on('workflows:changed', (p) => {
          const s = get();
          if (p.workspaceId !== workspaceId || s.workspaceId !== workspaceId) return;
          if (!s.nextCursor) void s.load(workspaceId);
          // Someone else saved the open workflow: show it unless the admin has edits (Save then says CONFLICT).
          if (s.selectedId === p.id && s.draft && !s.draft.dirty && s.draft.viewingVersion === null) void refreshOpen(p.id);
        });
      },
    };
  });
export type WorkflowsStore = ReturnType<typeof createWorkflowsStore>;
