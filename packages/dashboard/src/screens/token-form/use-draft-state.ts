import { useCallback, useMemo, useState } from 'react';
import type { TokenDraft } from './token-draft';
import { checkDraft, type DraftCheck, describeIssues, fieldKeys } from './token-validation';

export interface DraftState {
  draft: TokenDraft;
  /** Replaces the draft; the server's refusals of the previous one are dropped. */
  setDraft: (draft: TokenDraft) => void;
  /** Changes the draft from its latest state; stable, so memoised parts of the form keep their props. */
  update: (change: (draft: TokenDraft) => TokenDraft) => void;
  check: DraftCheck;
  /** The error to show at a field now: the server's, or the check's once the field is touched or filled. */
  errorAt: (key: string) => string | undefined;
  touch: (key: string) => void;
  setServerErrors: (errors: Map<string, string>) => void;
  /** Every problem, in words, for the reason next to the disabled buttons. */
  issues: string[];
}

/** Fields whose error shows as soon as they hold something (a CIDR is checked as it is typed). */
function eagerKeys(draft: TokenDraft): Set<string> {
  const keys = new Set<string>([fieldKeys.notBefore, fieldKeys.expiresOn]);
  if (draft.name !== '') keys.add(fieldKeys.name);
  for (const rule of draft.ipRules) if (rule.cidr !== '') keys.add(fieldKeys.ip(rule.uid));
  for (const block of draft.policies) {
    keys.add(fieldKeys.resources(block.uid));
    keys.add(fieldKeys.group(block.uid));
    for (const entry of block.resources) if (entry.id !== '') keys.add(fieldKeys.resourceId(entry.uid));
  }
  return keys;
}

/** The form's state and its checks, shared by Create and Edit. */
export function useDraftState(initial: () => TokenDraft, keptCidrs?: ReadonlySet<string>): DraftState {
  const [draft, setDraftState] = useState(initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [serverErrors, setServerErrors] = useState<ReadonlyMap<string, string>>(new Map());
  const check = useMemo(() => checkDraft(draft, keptCidrs), [draft, keptCidrs]);
  const eager = useMemo(() => eagerKeys(draft), [draft]);
  const update = useCallback((change: (draft: TokenDraft) => TokenDraft) => {
    setDraftState(change);
    setServerErrors((current) => (current.size ? new Map() : current));
  }, []);
  const setDraft = useCallback((next: TokenDraft) => update(() => next), [update]);
  const touch = useCallback(
    (key: string) => setTouched((current) => (current.has(key) ? current : new Set(current).add(key))),
    [],
  );
  const errorAt = (key: string) =>
    serverErrors.get(key) ?? (touched.has(key) || eager.has(key) ? check.errors.get(key) : undefined);
  const issues = describeIssues(draft, new Map([...check.errors, ...serverErrors]));
  return { draft, setDraft, update, check, errorAt, touch, setServerErrors, issues };
}
