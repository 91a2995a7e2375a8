import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { Select } from '@cloudflare/kumo/components/select';
import { PlusIcon } from '@phosphor-icons/react';
import type { CreateFault } from '@userflare/client';
import { type FormEvent, useState } from 'react';

const METHODS = { any: 'Any method', GET: 'GET', POST: 'POST', PUT: 'PUT', PATCH: 'PATCH', DELETE: 'DELETE' };
const ANSWERS = {
  '429': '429 Too Many Requests',
  '500': '500 Internal Server Error',
  '502': '502 Bad Gateway',
  '503': '503 Service Unavailable',
  '504': '504 Gateway Timeout',
  delay: 'No error: delay only',
};

interface Draft {
  method: string;
  path: string;
  answer: string;
  retryAfter: string;
  delay: string;
  times: string;
  probability: string;
}

const EMPTY: Draft = {
  method: 'any',
  path: '',
  answer: '429',
  retryAfter: '',
  delay: '',
  times: '',
  probability: '',
};

type Errors = Partial<Record<keyof Draft, string>>;

function integer(value: string, min: number, max: number): number | undefined | null {
  if (value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isInteger(number) && number >= min && number <= max ? number : null;
}

/** The form's values as the API's rule, or the error of each field. */
export function faultFromDraft(draft: Draft): { fault?: CreateFault; errors: Errors } {
  const errors: Errors = {};
  const path = draft.path.trim();
  if (!path.startsWith('/')) errors.path = 'A path starting with /, e.g. /user/tokens or /user/tokens/*.';
  const retryAfter = integer(draft.retryAfter, 0, 3600);
  if (retryAfter === null) errors.retryAfter = 'Whole seconds from 0 to 3600.';
  const delay = integer(draft.delay, 0, 60_000);
  if (delay === null) errors.delay = 'Whole milliseconds from 0 to 60000.';
  if (draft.answer === 'delay' && !delay) errors.delay = 'A delay-only fault needs a delay above 0.';
  const times = integer(draft.times, 1, 1_000_000);
  if (times === null) errors.times = 'A whole number from 1 to 1000000.';
  let probability: number | undefined;
  if (draft.probability.trim() !== '') {
    probability = Number(draft.probability);
    if (!(probability >= 0 && probability <= 1)) errors.probability = 'A share from 0 to 1, e.g. 0.5.';
  }
  if (Object.keys(errors).length > 0) return { errors };
  const fault: CreateFault = { path };
  if (draft.method !== 'any') fault.method = draft.method as NonNullable<CreateFault['method']>;
  if (draft.answer !== 'delay') fault.status = Number(draft.answer) as NonNullable<CreateFault['status']>;
  if (typeof retryAfter === 'number' && (draft.answer === '429' || draft.answer === '503'))
    fault.retry_after = retryAfter;
  if (delay) fault.delay_ms = delay;
  if (typeof times === 'number') fault.times = times;
  if (probability !== undefined) fault.probability = probability;
  return { fault, errors };
}

export function FaultForm({ onAdd }: { onAdd: (fault: CreateFault) => Promise<boolean> }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setDraft((previous) => ({ ...previous, ...patch }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { fault, errors: found } = faultFromDraft(draft);
    setErrors(found);
    if (!fault) return;
    setBusy(true);
    try {
      if (await onAdd(fault)) setDraft(EMPTY);
    } finally {
      setBusy(false);
    }
  };
  const retries = draft.answer === '429' || draft.answer === '503';
  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label="Add a fault"
      className="grid grid-cols-1 items-start gap-4 sm:grid-cols-2 lg:grid-cols-3"
    >
      <Select
        label="Method"
        className="w-full"
        value={draft.method}
        onValueChange={(next) => set({ method: String(next ?? 'any') })}
        items={METHODS}
      />
      <Input
        label="Path pattern"
        value={draft.path}
        onChange={(event) => set({ path: event.target.value })}
        placeholder="/user/tokens*"
        description="With or without /client/v4; * matches any characters."
        aria-invalid={errors.path !== undefined}
        error={errors.path}
        required
      />
      <Select
        label="Answer"
        className="w-full"
        value={draft.answer}
        onValueChange={(next) => set({ answer: String(next ?? '429') })}
        items={ANSWERS}
        description="429 answers code 971 with retry-after; a 5xx answers code 1599."
      />
      {retries && (
        <Input
          label="Retry-After (seconds)"
          inputMode="numeric"
          value={draft.retryAfter}
          onChange={(event) => set({ retryAfter: event.target.value })}
          placeholder="1"
          description="Sent in the retry-after header; 1 when empty."
          aria-invalid={errors.retryAfter !== undefined}
          error={errors.retryAfter}
        />
      )}
      <Input
        label="Delay (ms)"
        inputMode="numeric"
        value={draft.delay}
        onChange={(event) => set({ delay: event.target.value })}
        placeholder="0"
        description="Wait this long before answering (or before calling the route, for delay only)."
        aria-invalid={errors.delay !== undefined}
        error={errors.delay}
      />
      <Input
        label="Times"
        inputMode="numeric"
        value={draft.times}
        onChange={(event) => set({ times: event.target.value })}
        placeholder="Unlimited"
        description="Fire this many times, then retire."
        aria-invalid={errors.times !== undefined}
        error={errors.times}
      />
      <Input
        label="Probability"
        inputMode="decimal"
        value={draft.probability}
        onChange={(event) => set({ probability: event.target.value })}
        placeholder="1"
        description="The share of matching requests it fires on, 0 to 1; every one when empty."
        aria-invalid={errors.probability !== undefined}
        error={errors.probability}
      />
      <div className="flex items-end sm:col-span-2 lg:col-span-3">
        <Button type="submit" variant="primary" icon={<PlusIcon />} loading={busy}>
          Add fault
        </Button>
      </div>
    </form>
  );
}
