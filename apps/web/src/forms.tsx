import { type FormEvent, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes, useState } from 'react';
import { ChangedElsewhere, ProblemView } from './components';

/** What a form sends through: a mutation's state, with the 412 state when it writes with If-Match. */
export interface FormAction {
  isPending: boolean;
  error: unknown;
  changedElsewhere?: boolean;
  reload?: () => void;
}

type TextKey<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T];

/** A form's values as text: `set` merges a change, `field(key)` binds an input or a select to one value. */
export function useFormState<T extends object>(initial: T | (() => T)) {
  const [form, setForm] = useState<T>(initial);
  const set = (change: Partial<T>) => setForm((f) => ({ ...f, ...change }));
  const field = (key: TextKey<T>) => ({ value: form[key] as string, onChange: (e: { target: { value: string } }) => set({ [key]: e.target.value } as Partial<T>) });
  return { form, set, field };
}

/**
 * A submit handler that reads the form before sending: what cannot be read (`read` throws) is shown
 * in the form as `invalid` and nothing is sent.
 */
export function useReadSubmit<T>(read: () => T, send: (value: T) => void) {
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    let value: T;
    try {
      value = read();
    } catch (error) {
      return setInvalid((error as Error).message);
    }
    setInvalid(null);
    send(value);
  };
  return { invalid, submit };
}

/** What went wrong, in the form: the input it could not read, then the 412 state or the API's problem+json. */
export function FormProblems({ invalid, action }: { invalid?: string | null; action: FormAction }) {
  return (
    <>
      {invalid && (
        <p className="problem" role="alert">
          {invalid}
        </p>
      )}
      {action.changedElsewhere && action.reload ? <ChangedElsewhere onReload={action.reload} /> : action.error ? <ProblemView error={action.error} /> : null}
    </>
  );
}

/**
 * A stacked form: its fields, the problems, then the submit button (off while sending or while
 * `disabled`). With a `summary` it sits folded in a `details` (the create forms under a list).
 */
export function StackedForm({
  label,
  summary,
  hint,
  onSubmit,
  action,
  invalid,
  submit,
  disabled,
  children,
}: {
  label: string;
  summary?: ReactNode;
  hint?: ReactNode;
  onSubmit: (event: FormEvent) => void;
  action: FormAction;
  invalid?: string | null;
  submit: ReactNode;
  disabled?: boolean;
  children: ReactNode;
}) {
  const form = (
    <form className="stacked" onSubmit={onSubmit} aria-label={label}>
      {hint && <p className="hint">{hint}</p>}
      {children}
      <FormProblems invalid={invalid} action={action} />
      <div>
        <button type="submit" disabled={action.isPending || disabled}>
          {submit}
        </button>
      </div>
    </form>
  );
  if (summary === undefined) return form;
  return (
    <details className="register">
      <summary>{summary}</summary>
      {form}
    </details>
  );
}

/** A labelled text input. */
export function TextField({ label, ...input }: { label: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label>
      {label}
      <input {...input} />
    </label>
  );
}

/** A labelled text area. */
export function TextAreaField({ label, ...area }: { label: ReactNode } & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <label>
      {label}
      <textarea {...area} />
    </label>
  );
}

/** An option as its value, or as its value and the text shown. */
export type Choice = string | readonly [value: string, text: string];

export function Choices({ choices }: { choices: readonly Choice[] }) {
  return (
    <>
      {choices.map((c) =>
        typeof c === 'string' ? (
          <option key={c}>{c}</option>
        ) : (
          <option key={c[0]} value={c[0]}>
            {c[1]}
          </option>
        ),
      )}
    </>
  );
}

/** A labelled select: `children` first (a blank or a kept value), then the choices. */
export function SelectField({ label, choices = [], children, ...select }: { label: ReactNode; choices?: readonly Choice[] } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <label>
      {label}
      <select {...select}>
        {children}
        <Choices choices={choices} />
      </select>
    </label>
  );
}

/** A comma-separated list, its entries trimmed and the empty ones dropped. */
export const commaList = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/** One filter of a list: a text input, or a select of `choices` with “any” first. */
export interface FilterField<F> {
  key: keyof F & string;
  label: string;
  choices?: readonly Choice[];
  type?: 'number';
  min?: number;
}

/** A list's filters, each bound to its key of `filter`; a cleared one is sent as undefined. */
export function FilterBar<F extends object>({ filter, set, fields }: { filter: F; set: (change: Partial<F>) => void; fields: readonly FilterField<F>[] }) {
  return (
    <>
      {fields.map(({ key, label, choices, ...input }) => {
        const value = String(filter[key] ?? '');
        const onChange = (e: { target: { value: string } }) => set({ [key]: e.target.value || undefined } as Partial<F>);
        return choices ? (
          <SelectField key={key} label={label} value={value} onChange={onChange} choices={choices}>
            <option value="">any</option>
          </SelectField>
        ) : (
          <TextField key={key} label={label} value={value} onChange={onChange} {...input} />
        );
      })}
    </>
  );
}
