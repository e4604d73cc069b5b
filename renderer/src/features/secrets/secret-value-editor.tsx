import { useState } from 'react';
import { GENERATOR_ALPHABETS, type GeneratorAlphabet } from '@shared/domain/secret.catalog';
import type { SecretValue } from '@shared/domain/secret';
import { SelectInput } from '../../components/select-input';
import { checkJsonObject } from './json-object-check';

const ALPHABETS = Object.keys(GENERATOR_ALPHABETS) as GeneratorAlphabet[];
type ValueMode = 'text' | 'json' | 'generate';
type Generator = { length: number; alphabet: GeneratorAlphabet };
/** What a value editor holds: a value to store, what to generate, or why the input is not a value yet. */
export type EnteredValue = { value?: SecretValue; generate?: Generator; error?: string };
const MODE_LABEL: Record<ValueMode, string> = { text: 'Text', json: 'JSON object', generate: 'Generate for me' };
export type { Generator as ValueGenerator };

/** Value entry shared by create and rotate: plain text, a JSON object (validated as you type), or generated. */
function ValueEditor(
  props: Readonly<{
    mode: ValueMode;
    setMode: (m: ValueMode) => void;
    text: string;
    setText: (t: string) => void;
    gen: Generator;
    setGen: (g: Generator) => void;
    allowGenerate: boolean;
    fixedGenerator?: Generator;
  }>,
) {
  const check = props.mode === 'json' ? checkJsonObject(props.text) : null;
  const modes: ValueMode[] = props.allowGenerate ? ['text', 'json', 'generate'] : ['text', 'json'];
  return (
    <fieldset className="value-editor">
      <legend>Value</legend>
      <div className="form-row">
        {modes.map((m) => (
          <label key={m}>
            <input type="radio" name="value-mode" data-testid={`value-mode-${m}`} checked={props.mode === m} onChange={() => props.setMode(m)} />
            {MODE_LABEL[m]}
          </label>
        ))}
      </div>
      {props.mode === 'generate' && props.fixedGenerator ? (
        <p className="muted" data-testid="generate-same-rules">
          The app generates the next value with this secret's rules ({props.fixedGenerator.length} characters, {props.fixedGenerator.alphabet}); nobody sees it
          unless an admin reveals it.
        </p>
      ) : props.mode === 'generate' ? (
        <div className="form-row">
          <label>
            Length
            <input type="number" min={8} max={512} data-testid="generate-length" value={props.gen.length} onChange={(e) => props.setGen({ ...props.gen, length: Number(e.target.value) })} />
          </label>
          <label>
            Characters
            <SelectInput testId="generate-alphabet" options={ALPHABETS} value={props.gen.alphabet} onChange={(alphabet) => props.setGen({ ...props.gen, alphabet })} />
          </label>
          <p className="muted">The app generates the value in the vault; nobody sees it unless an admin reveals it. With a schedule, the app rotates it itself.</p>
        </div>
      ) : (
        <>
          <textarea
            className="mono"
            rows={props.mode === 'json' ? 6 : 3}
            spellCheck={false}
            autoComplete="off"
            data-testid="secret-value-input"
            aria-label="Secret value"
            placeholder={props.mode === 'json' ? '{"user": "svc", "password": "…"}' : 'Paste the credential'}
            value={props.text}
            onChange={(e) => props.setText(e.target.value)}
          />
          {check && (
            <p className={check.ok ? 'muted' : 'field-error'} data-testid="json-check">
              {check.ok ? `Valid JSON object with ${Object.keys(check.value).length} field(s)` : check.message}
            </p>
          )}
        </>
      )}
    </fieldset>
  );
}

/**
 * The editor, and `value()`: what to send (a value, or what to generate) or why the input is not one yet.
 * `fixedGenerator`: a generated secret's own rules (rotate): Generate is pre-selected and uses them, no fields to fill.
 */
export function useValueEditor(allowGenerate: boolean, fixedGenerator?: Generator) {
  const [mode, setMode] = useState<ValueMode>(allowGenerate && fixedGenerator ? 'generate' : 'text');
  const [text, setText] = useState('');
  const [gen, setGen] = useState<Generator>({ length: 32, alphabet: 'alphanumeric' });
  const editor = <ValueEditor mode={mode} setMode={setMode} text={text} setText={setText} gen={gen} setGen={setGen} allowGenerate={allowGenerate} fixedGenerator={fixedGenerator} />;
  const value = (): EnteredValue => {
    if (mode === 'generate') return { generate: gen };
    if (mode === 'json') {
      const c = checkJsonObject(text);
      return c.ok ? { value: c.value as SecretValue } : { error: c.message };
    }
    return text ? { value: text } : { error: 'Type or paste the value' };
  };
  return { editor, value, mode };
}
