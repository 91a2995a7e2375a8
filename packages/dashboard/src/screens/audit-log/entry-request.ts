import type { AuditLog, JournalEntry } from '@userflare/client';
import { journalCurl } from '../../components/journal-curl';
import { matchJournalEntry, routeOf } from './journal-match';

/** An entry's request as `curl`, or why there is none, in words for the dialog. */
export type EntryRequest =
  | { kind: 'found'; command: string; hasBody: boolean }
  | { kind: 'missing'; reason: string };

/** Where the journal stands for the page: it needs the emulator unlocked (admin plane). */
export type JournalState =
  | { kind: 'unavailable' }
  | { kind: 'locked' }
  | { kind: 'loading' }
  | { kind: 'failed'; message: string }
  | { kind: 'loaded'; entries: readonly JournalEntry[] };

export function requestFor(entry: AuditLog, journal: JournalState, serverUrl: string): EntryRequest {
  const route = routeOf(entry);
  if (!route) {
    return {
      kind: 'missing',
      reason:
        entry.actor.type === 'user'
          ? 'No API request wrote this entry (a dashboard sign-in or sign-out, for one): there is nothing to copy.'
          : `Made by ${entry.actor.type === 'admin' ? 'the emulator’s admin plane' : 'Cloudflare'}, not by an API request.`,
    };
  }
  switch (journal.kind) {
    case 'unavailable':
      return { kind: 'missing', reason: 'This server keeps no request journal (the emulator is off).' };
    case 'locked':
      return {
        kind: 'missing',
        reason:
          'Unlock the emulator to find this entry’s request in the request journal and copy it as curl.',
      };
    case 'loading':
      return { kind: 'missing', reason: 'Looking for the request in the journal…' };
    case 'failed':
      return { kind: 'missing', reason: `Could not read the request journal: ${journal.message}` };
    case 'loaded': {
      const request = matchJournalEntry(entry, journal.entries);
      if (!request)
        return {
          kind: 'missing',
          reason: 'The request journal does not hold this request: it keeps only the most recent ones.',
        };
      return { kind: 'found', command: journalCurl(request, serverUrl, route.body), hasBody: route.body };
    }
  }
}
