import { Button, LinkButton } from '@cloudflare/kumo/components/button';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { dashboardHref } from '../../app/base-path';
import { useApiClient, useCapability, useSession } from '../../app/session';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { CatalogueGate } from './CatalogueGate';
import { FOOTER_REASON_ID, FormFooter, formReasons } from './FormFooter';
import type { Catalogue } from './permission-catalogue';
import { placeServerErrors } from './server-errors';
import { TemplateList } from './TemplateList';
import { TOKEN_NAME_ID, TokenForm } from './TokenForm';
import { TokenSummary } from './TokenSummary';
import { type CreatedToken, TokenValueDialog } from './TokenValueDialog';
import { draftFromTemplateLink, isTemplateLink } from './template-link';
import { draftFromTemplate, TEMPLATES } from './templates';
import { createBodyOf } from './token-body';
import { emptyDraft, emptyPolicy, type TokenDraft } from './token-draft';
import type { WordsContext } from './token-words';
import { useDraftState } from './use-draft-state';
import { type TokenFormData, useTokenFormData } from './use-token-form-data';

interface Start {
  draft: TokenDraft;
  /** What the template or link asked for that could not be filled in. */
  problems: string[];
  /** `Template: Edit zone DNS`, `Custom token`, `From a template link`. */
  origin: string;
}

function startOf(params: URLSearchParams, catalogue: Catalogue): Start {
  if (isTemplateLink(params)) {
    const { draft, problems } = draftFromTemplateLink(params, catalogue);
    return { draft, problems, origin: 'Prefilled from a template link' };
  }
  const template = TEMPLATES.find((each) => each.id === params.get('template'));
  if (template) {
    const { draft, missing } = draftFromTemplate(template, catalogue);
    return {
      draft,
      problems: missing.map((name) => `${name} is not in this server's catalogue: not added`),
      origin: `Template: ${template.name}`,
    };
  }
  const unknown = params.get('template');
  return {
    draft: emptyDraft(),
    problems:
      unknown && unknown !== 'custom'
        ? [`There is no template "${unknown}": starting from an empty form`]
        : [],
    origin: 'Custom token',
  };
}

function CreateTokenEditor({
  data,
  start,
}: {
  data: TokenFormData & { catalogue: Catalogue };
  start: Start;
}) {
  const client = useApiClient();
  const session = useSession();
  const navigate = useNavigate();
  const user = session.user ?? { id: '', email: '' };
  const access = useCapability('POST /client/v4/user/tokens');
  const state = useDraftState(() =>
    start.draft.policies.length > 0 ? start.draft : { ...start.draft, policies: [emptyPolicy()] },
  );
  const [step, setStep] = useState<'form' | 'summary'>('form');
  const [created, setCreated] = useState<CreatedToken | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const summaryHeading = useRef<HTMLHeadingElement>(null);
  const focusAfterStep = useRef<'summary' | 'form' | 'invalid' | undefined>(undefined);

  useEffect(() => {
    const target = focusAfterStep.current;
    focusAfterStep.current = undefined;
    if (target === 'summary') summaryHeading.current?.focus();
    else if (target === 'form') document.getElementById(TOKEN_NAME_ID)?.focus();
    else if (target === 'invalid') document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  });

  const context: WordsContext = {
    catalogue: data.catalogue,
    accountNames: data.accountNames,
    userEmail: user.email,
  };
  const reasons = formReasons(state.check.permissionCount, state.issues);
  const ready = reasons.length === 0;
  const createReasons = access.allowed
    ? reasons
    : [
        ...reasons,
        `Creating tokens is not allowed for this credential: ${access.reason ?? 'it lacks API Tokens Write'}.`,
      ];

  const goTo = (next: 'form' | 'summary') => {
    focusAfterStep.current = next;
    setStep(next);
  };
  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const token = await client.user.tokens.create(createBodyOf(state.draft, user.id));
      setCreated({ name: token.name, value: token.value });
    } catch (caught) {
      const placed = placeServerErrors(caught, state.draft);
      if (placed.fields.size > 0) {
        state.setServerErrors(placed.fields);
        focusAfterStep.current = 'invalid';
        setStep('form');
      }
      if (placed.unplaced) setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const createButton = (
    <Button
      variant="primary"
      loading={busy}
      disabled={!ready || !access.allowed}
      aria-describedby={FOOTER_REASON_ID}
      onClick={create}
    >
      Create Token
    </Button>
  );

  return (
    <>
      {start.problems.length > 0 && (
        <div className="mb-6">
          <Notice title="Not everything asked for could be filled in">
            <ul className="list-disc pl-5">
              {start.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </Notice>
        </div>
      )}
      {error !== undefined && (
        <div className="mb-6">
          <ApiErrorBanner error={error} title="The token was not created" />
        </div>
      )}
      {step === 'form' ? (
        <>
          <TokenForm state={state} data={data} userEmail={user.email} />
          <FormFooter reasons={createReasons}>
            <Button
              variant="secondary"
              disabled={!ready}
              aria-describedby={FOOTER_REASON_ID}
              onClick={() => goTo('summary')}
            >
              Continue to summary
            </Button>
            {createButton}
            <LinkButton variant="ghost" href={dashboardHref('/tokens')}>
              Cancel
            </LinkButton>
          </FormFooter>
        </>
      ) : (
        <>
          <TokenSummary draft={state.draft} context={context} headingRef={summaryHeading} />
          <FormFooter reasons={createReasons}>
            <Button onClick={() => goTo('form')}>Edit token</Button>
            {createButton}
          </FormFooter>
        </>
      )}
      <TokenValueDialog created={created} onClose={() => navigate('/tokens', { replace: true })} />
    </>
  );
}

/**
 * `/tokens/new`: Cloudflare's Create Token flow (research §1.2). Without parameters, the templates;
 * `?template=<id>` (or `custom`) and Cloudflare's template links (`?permissionGroupKeys=…`) open the
 * form, prefilled. "Continue to summary" says what the token can do; "Create Token" shows the value
 * once. Each URL starts the form afresh, so going back never brings a created value back.
 */
export function CreateTokenScreen() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const data = useTokenFormData();
  const choosing = !params.has('template') && !isTemplateLink(params);
  const search = params.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `search` stands for `params`.
  const start = useMemo(
    () => (data.catalogue ? startOf(params, data.catalogue) : undefined),
    [search, data.catalogue],
  );
  return (
    <>
      <PageHeader
        title="Create API Token"
        description={
          choosing
            ? 'Start from a template, or build a custom token. Templates only prefill the form: you review it before creating.'
            : start?.origin
        }
        actions={
          !choosing && (
            <LinkButton variant="secondary" href={dashboardHref('/tokens/new')}>
              All templates
            </LinkButton>
          )
        }
      />
      {choosing ? (
        <TemplateList onChoose={(id) => navigate(`/tokens/new?template=${encodeURIComponent(id)}`)} />
      ) : (
        <CatalogueGate data={data}>
          {(ready) => start && <CreateTokenEditor key={search} data={ready} start={start} />}
        </CatalogueGate>
      )}
    </>
  );
}
