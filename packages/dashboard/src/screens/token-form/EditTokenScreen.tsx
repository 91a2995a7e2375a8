import { Button, LinkButton } from '@cloudflare/kumo/components/button';
import type { Token } from '@userflare/contract';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useParams } from 'react-router';
import { dashboardHref } from '../../app/base-path';
import { useApiClient, useCapability, useSession } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { LoadingState } from '../../components/LoadingState';
import { Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { RelativeTime } from '../../components/RelativeTime';
import { CatalogueGate } from './CatalogueGate';
import { FOOTER_REASON_ID, FormFooter, formReasons } from './FormFooter';
import type { Catalogue } from './permission-catalogue';
import { placeServerErrors } from './server-errors';
import { TOKEN_NAME_ID, TokenForm } from './TokenForm';
import { TokenSummary } from './TokenSummary';
import { updateBodyOf } from './token-body';
import { draftFromToken, requestIpOf } from './token-draft';
import { describeChanges, type WordsContext } from './token-words';
import { useDraftState } from './use-draft-state';
import type { TokenFormData } from './use-token-form-data';
import { useTokenFormData } from './use-token-form-data';

function keptCount(token: Token, catalogue: Catalogue, userId: string): number {
  return draftFromToken(token, catalogue, userId).policies.reduce(
    (count, block) =>
      count +
      block.resources.filter((entry) => entry.kind === 'kept').length +
      (block.scope === 'r2' || block.scope === 'other' ? 1 : 0),
    0,
  );
}

function EditTokenEditor({
  loaded,
  data,
}: {
  loaded: Token;
  data: TokenFormData & { catalogue: Catalogue };
}) {
  const client = useApiClient();
  const session = useSession();
  const user = session.user ?? { id: '', email: '' };
  const access = useCapability('PUT /client/v4/user/tokens/:token_id');
  const [baseline, setBaseline] = useState(loaded);
  const baselineDraft = useMemo(
    () => draftFromToken(baseline, data.catalogue, user.id),
    [baseline, data.catalogue, user.id],
  );
  const keptCidrs = useMemo(() => {
    const requestIp = requestIpOf(baseline.condition);
    return new Set([...(requestIp?.in ?? []), ...(requestIp?.not_in ?? [])]);
  }, [baseline]);
  const state = useDraftState(() => baselineDraft, keptCidrs);
  const [step, setStep] = useState<'form' | 'summary'>('form');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState<string[] | undefined>(undefined);
  const summaryHeading = useRef<HTMLHeadingElement>(null);
  const savedRef = useRef<HTMLDivElement>(null);
  const focusAfter = useRef<'summary' | 'form' | 'invalid' | 'saved' | undefined>(undefined);

  useEffect(() => {
    const target = focusAfter.current;
    focusAfter.current = undefined;
    if (target === 'summary') summaryHeading.current?.focus();
    else if (target === 'form') document.getElementById(TOKEN_NAME_ID)?.focus();
    else if (target === 'invalid') document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    else if (target === 'saved') savedRef.current?.focus();
  });

  const context: WordsContext = {
    catalogue: data.catalogue,
    accountNames: data.accountNames,
    userEmail: user.email,
  };
  const changes = describeChanges(baselineDraft, state.draft, context);
  const reasons = formReasons(state.check.permissionCount, state.issues);
  const ready = reasons.length === 0;
  const saveReasons = access.allowed
    ? reasons
    : [
        ...reasons,
        `Editing tokens is not allowed for this credential: ${access.reason ?? 'it lacks API Tokens Write'}.`,
      ];
  const kept = keptCount(baseline, data.catalogue, user.id);

  const goTo = (next: 'form' | 'summary') => {
    focusAfter.current = next;
    setStep(next);
  };
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const updated = await client.user.tokens.update(
        baseline.id,
        updateBodyOf(state.draft, user.id, baseline),
      );
      setSaved(changes);
      setBaseline(updated);
      state.setDraft(draftFromToken(updated, data.catalogue, user.id));
      focusAfter.current = 'saved';
      setStep('form');
    } catch (caught) {
      const placed = placeServerErrors(caught, state.draft);
      if (placed.fields.size > 0) {
        state.setServerErrors(placed.fields);
        focusAfter.current = 'invalid';
        setStep('form');
      }
      if (placed.unplaced) setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const saveButton = (
    <Button
      variant="primary"
      loading={busy}
      disabled={!ready || !access.allowed}
      aria-describedby={FOOTER_REASON_ID}
      onClick={save}
    >
      Save
    </Button>
  );
  return (
    <>
      <p className="mb-6 text-sm text-kumo-subtle">
        ID <code>{baseline.id}</code> · created <RelativeTime iso={baseline.issued_on} /> · last modified{' '}
        <RelativeTime iso={baseline.modified_on} /> · last used{' '}
        <RelativeTime iso={baseline.last_used_on} empty="never" />
      </p>
      {saved && (
        <div ref={savedRef} tabIndex={-1} role="status" className="mb-6 outline-none">
          <Notice tone="success" title="Token saved">
            {saved.length === 0 ? (
              'Nothing changed.'
            ) : (
              <ul aria-label="Saved changes" className="list-disc pl-5">
                {saved.map((change) => (
                  <li key={change}>{change}</li>
                ))}
              </ul>
            )}
          </Notice>
        </div>
      )}
      {kept > 0 && (
        <div className="mb-6">
          <Notice tone="info" title="Parts of this token are kept as they are">
            {kept} resource{kept === 1 ? '' : 's'} or polic{kept === 1 ? 'y' : 'ies'} of this token cannot be
            expressed by the form. They are shown as “kept as is” and saved exactly as they are.
          </Notice>
        </div>
      )}
      {error !== undefined && (
        <div className="mb-6">
          <ApiErrorBanner error={error} title="The token was not saved" />
        </div>
      )}
      {step === 'form' ? (
        <>
          <TokenForm state={state} data={data} userEmail={user.email} withStatus />
          <FormFooter reasons={saveReasons}>
            <Button disabled={!ready} aria-describedby={FOOTER_REASON_ID} onClick={() => goTo('summary')}>
              Continue to summary
            </Button>
            {saveButton}
            <LinkButton variant="ghost" href={dashboardHref('/tokens')}>
              Back to API Tokens
            </LinkButton>
          </FormFooter>
        </>
      ) : (
        <>
          <TokenSummary draft={state.draft} context={context} changes={changes} headingRef={summaryHeading} />
          <FormFooter reasons={saveReasons}>
            <Button onClick={() => goTo('form')}>Edit token</Button>
            {saveButton}
          </FormFooter>
        </>
      )}
    </>
  );
}

/**
 * `/tokens/:tokenId`: the token in the Create form, every value loaded (policies with their deny
 * ones, nested account → zone resources, IP filter, dates, status). Save is a PUT of the whole token;
 * the page then says what changed. Parts the form cannot express are kept and saved unchanged.
 */
export function EditTokenScreen() {
  const { tokenId = '' } = useParams();
  const client = useApiClient();
  const data = useTokenFormData();
  const token = useApi(() => client.user.tokens.get(tokenId), [client, tokenId]);
  return (
    <>
      <PageHeader
        title="Edit API Token"
        description="Change what the token may do, on what, from where and until when."
        actions={
          <LinkButton variant="secondary" href={dashboardHref('/tokens')}>
            All API Tokens
          </LinkButton>
        }
      />
      {token.error !== undefined && !token.data ? (
        <div className="flex flex-col items-start gap-2">
          <ApiErrorBanner error={token.error} title="Could not load the token" />
          <Button onClick={token.reload}>Try again</Button>
        </div>
      ) : !token.data ? (
        <LoadingState label="Loading the token…" />
      ) : (
        <CatalogueGate data={data}>
          {(ready) => <EditTokenEditor key={token.data?.id} loaded={token.data as Token} data={ready} />}
        </CatalogueGate>
      )}
    </>
  );
}
