import { APIError } from '@userflare/client';
import type { EditUser, User } from '@userflare/contract';

export type ProfileField = keyof EditUser;

/** The fields `PATCH /user` takes, with their limits from the user schema (REFERENCE §2.1, §2.2). */
export const PROFILE_FIELDS: {
  name: ProfileField;
  label: string;
  maxLength: number;
  autoComplete: string;
}[] = [
  { name: 'first_name', label: 'First name', maxLength: 60, autoComplete: 'given-name' },
  { name: 'last_name', label: 'Last name', maxLength: 60, autoComplete: 'family-name' },
  { name: 'telephone', label: 'Telephone', maxLength: 20, autoComplete: 'tel' },
  { name: 'country', label: 'Country', maxLength: 30, autoComplete: 'country' },
  { name: 'zipcode', label: 'Zip code', maxLength: 20, autoComplete: 'postal-code' },
];

export type ProfileDraft = Record<ProfileField, string>;

export function draftOf(user: User): ProfileDraft {
  return Object.fromEntries(PROFILE_FIELDS.map(({ name }) => [name, user[name] ?? ''])) as ProfileDraft;
}

/**
 * Only what changed, so an edit never overwrites a field someone else changed meanwhile (PATCH is a
 * partial update, REFERENCE §2.2). A field emptied is sent as null, which clears it.
 */
export function changesOf(user: User, draft: ProfileDraft): EditUser {
  const changes: EditUser = {};
  for (const { name } of PROFILE_FIELDS) {
    const next = draft[name] === '' ? null : draft[name];
    if (next !== (user[name] ?? null)) changes[name] = next;
  }
  return changes;
}

/**
 * Splits a refused edit into the errors that name a field — by `source.pointer` (`/first_name`) or by
 * the `<field>: <why>` message the server writes (REFERENCE §9) — and the rest, for the banner.
 */
export function fieldErrorsOf(error: unknown): {
  fields: Partial<Record<ProfileField, string>>;
  rest: boolean;
} {
  const fields: Partial<Record<ProfileField, string>> = {};
  if (!(error instanceof APIError) || error.errors.length === 0) return { fields, rest: true };
  let rest = false;
  for (const item of error.errors) {
    const message = item.message ?? '';
    const byPointer = item.source?.pointer?.replace(/^\//, '');
    const byMessage = /^([a-z_]+):\s/.exec(message)?.[1];
    const field = PROFILE_FIELDS.find(({ name }) => name === byPointer || name === byMessage)?.name;
    if (!field) {
      rest = true;
      continue;
    }
    const why = byMessage === field ? message.slice(field.length + 1).trim() : message;
    const text = `${why} (code ${item.code})`;
    fields[field] = fields[field] ? `${fields[field]}; ${text}` : text;
  }
  return { fields, rest };
}
