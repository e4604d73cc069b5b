import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { basicSetup } from 'codemirror';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { jsonSchema, updateSchema } from 'codemirror-json-schema';
import type { JSONSchema7 } from 'json-schema';

/** What the pickers do with the editor: put text at the cursor, or over the selection (a selected placeholder). */
export type JsonEditorHandle = {
  /** `snippet(insideString)`: the text to insert, bare when the cursor sits between quotes. */
  insert(snippet: (insideString: boolean) => string): void;
  /** The selected text (a placeholder id the admin selected), or ''. */
  selection(): string;
};

type Props = {
  value: string;
  readOnly: boolean;
  schema?: Record<string, unknown>;
  onChange(text: string): void;
  label: string;
  testId: string;
};

/**
 * CodeMirror 6 over the definition's JSON, validating and completing against the JSON Schema from the core
 * (codemirror-json-schema). Loaded lazily (React.lazy in the editor pane): CodeMirror is the screen's biggest
 * dependency and must not weigh on the app's start-up.
 *
 * What must stay true: the store owns the text. The editor reports every change, and takes a new `value` that it did
 * not produce itself (another workflow opened, a picker replacing a placeholder everywhere) as a whole new document.
 */
const JsonEditor = forwardRef<JsonEditorHandle, Props>(function JsonEditor(props, ref) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const editable = useRef(new Compartment());

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          basicSetup,
          jsonSchema(props.schema as JSONSchema7 | undefined),
          editable.current.of([EditorState.readOnly.of(props.readOnly), EditorView.editable.of(!props.readOnly)]),
          EditorView.contentAttributes.of({ 'aria-label': props.label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is made once; the effects below follow the props.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
  }, [props.value]);

  useEffect(() => {
    view.current?.dispatch({ effects: editable.current.reconfigure([EditorState.readOnly.of(props.readOnly), EditorView.editable.of(!props.readOnly)]) });
  }, [props.readOnly]);

  useEffect(() => {
    if (view.current && props.schema) updateSchema(view.current, props.schema as JSONSchema7);
  }, [props.schema]);

  useImperativeHandle(ref, () => ({
    insert(snippet) {
      const v = view.current;
      if (!v || props.readOnly) return;
      const { from, to } = v.state.selection.main;
      const doc = v.state.doc;
      const selected = doc.sliceString(from, to);
      const insideString = selected.startsWith('"') ? false : doc.sliceString(from - 1, from) === '"' && doc.sliceString(to, to + 1) === '"';
      const text = snippet(insideString);
      v.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length } });
      v.focus();
    },
    selection() {
      const v = view.current;
      if (!v) return '';
      const { from, to } = v.state.selection.main;
      return v.state.doc.sliceString(from, to);
    },
  }));

  return <div ref={host} className="json-editor" data-testid={props.testId} data-read-only={props.readOnly ? 'true' : 'false'} />;
});
export default JsonEditor;
