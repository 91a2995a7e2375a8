import { LayerCard } from '@cloudflare/kumo/components/layer-card';
import type { Ref } from 'react';
import type { TokenDraft } from './token-draft';
import { describeIpRules, describePolicy, describeTtl, type WordsContext } from './token-words';

const STATUS_WORDS = { active: 'Active', disabled: 'Disabled', expired: 'Expired' } as const;

/**
 * "Continue to summary" (research §1.2 item 7): what the token can do, in words — each policy, the
 * client IP filter and the TTL — and, when editing, what a save changes.
 */
export function TokenSummary({
  draft,
  context,
  changes,
  headingRef,
}: {
  draft: TokenDraft;
  context: WordsContext;
  changes?: string[];
  /** Focus moves here when the summary opens. */
  headingRef?: Ref<HTMLHeadingElement>;
}) {
  return (
    <section aria-labelledby="summary-heading" className="flex flex-col gap-4">
      <h2
        id="summary-heading"
        ref={headingRef}
        tabIndex={-1}
        className="text-lg font-semibold text-kumo-default outline-none"
      >
        Summary
      </h2>
      <LayerCard className="flex flex-col gap-4 p-4 wrap-anywhere">
        <p className="text-kumo-default">
          <span className="font-medium">“{draft.name.trim()}”</span> will be able to:
        </p>
        <ul aria-label="Permissions" className="flex list-disc flex-col gap-1 pl-5">
          {draft.policies.map((block) => (
            <li key={block.uid}>{describePolicy(block, context)}</li>
          ))}
        </ul>
        <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[14rem_1fr]">
          <dt className="font-medium">Client IP Address Filtering</dt>
          <dd data-testid="summary-ip">{describeIpRules(draft)}</dd>
          <dt className="font-medium">TTL</dt>
          <dd data-testid="summary-ttl">{describeTtl(draft)}</dd>
          {draft.status && (
            <>
              <dt className="font-medium">Status</dt>
              <dd>{STATUS_WORDS[draft.status]}</dd>
            </>
          )}
        </dl>
      </LayerCard>
      {changes && (
        <LayerCard className="flex flex-col gap-2 p-4 wrap-anywhere">
          <h3 className="font-semibold">What saving changes</h3>
          {changes.length === 0 ? (
            <p className="text-sm text-kumo-subtle">Nothing: the token is as it was loaded.</p>
          ) : (
            <ul aria-label="Changes" className="flex list-disc flex-col gap-1 pl-5 text-sm">
              {changes.map((change) => (
                <li key={change}>{change}</li>
              ))}
            </ul>
          )}
        </LayerCard>
      )}
    </section>
  );
}
