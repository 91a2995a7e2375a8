import { Button, LinkButton } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { Pagination } from '@cloudflare/kumo/components/pagination';
import { PlusIcon } from '@phosphor-icons/react';
import type { Token } from '@userflare/client';
import { useEffect, useId, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { statusOf } from '../../app/api';
import { dashboardHref } from '../../app/base-path';
import { useApiClient, useCapability, useSession, useSessionState } from '../../app/session';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { EmptyState } from '../../components/EmptyState';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { type RolledToken, RolledTokenDialog } from './RolledTokenDialog';
import { TokenActionDialog } from './TokenActionDialog';
import { TokensTable } from './TokensTable';
import { TOKEN_ROUTES, type TokenAction } from './token-actions';
import { useTokenActions } from './use-token-actions';
import {
  PAGE_SIZES,
  readTokenListQuery,
  type TokenListQuery,
  tokenListSearch,
  useTokenPage,
} from './use-token-page';

/** How long typing pauses before the search goes into the URL and runs. */
const SEARCH_DELAY_MS = 250;

/** My Profile → API Tokens: the user's tokens, a page at a time, with each row's actions. */
export function TokensScreen() {
  const session = useSession();
  const { refresh } = useSessionState();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const query = readTokenListQuery(search);
  const create = useCapability(TOKEN_ROUTES.create);
  const createReasonId = useId();
  const [generation, setGeneration] = useState(0);
  const { data, error, loading } = useTokenPage(useApiClient(), query, generation);
  const [pending, setPending] = useState<{ action: TokenAction; token: Token } | undefined>(undefined);
  const [rolled, setRolled] = useState<RolledToken | undefined>(undefined);
  const actions = useTokenActions({
    onChanged: () => setGeneration((current) => current + 1),
    onRolled: setRolled,
  });

  const go = (next: TokenListQuery, replace = false) => setSearch(tokenListSearch(next), { replace });

  const [draft, setDraft] = useState(query.name);
  useEffect(
    () => setDraft((current) => (current.trim() === query.name ? current : query.name)),
    [query.name],
  );
  useEffect(() => {
    const name = draft.trim();
    if (name === query.name) return;
    const timer = setTimeout(() => go({ ...query, name, page: 1 }, true), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  });

  // A session that ended (its token rolled, disabled or deleted elsewhere) answers 401: sign in again.
  useEffect(() => {
    if (statusOf(error) === 401) void refresh();
  }, [error, refresh]);

  // Past the last page (the last token of it deleted, or an old link): go to the last page there is.
  useEffect(() => {
    if (!data || data.tokens.length > 0 || query.page === 1) return;
    const last = Math.max(1, Math.ceil(data.totalCount / query.perPage));
    if (last < query.page) go({ ...query, page: last }, true);
  });

  const onAction = (action: TokenAction, token: Token) => {
    actions.clear();
    const ownToken = session.credential?.kind === 'token' && session.credential.token.id === token.id;
    if (action === 'enable' || (action === 'disable' && !ownToken)) void actions.run(action, token);
    else setPending({ action, token });
  };

  const createButton = (
    <Button
      variant="primary"
      icon={<PlusIcon />}
      disabled={!create.allowed}
      aria-describedby={create.allowed ? undefined : createReasonId}
      onClick={() => navigate('/tokens/new')}
    >
      Create Token
    </Button>
  );
  const description = (
    <>
      Manage the API tokens your code uses to call this server. A token can do only what its permissions
      allow; roll, disable or delete one from its row's menu.
      {!create.allowed && (
        <span id={createReasonId} className="mt-1 block">
          Create Token is not available to this credential: {create.reason ?? 'it may not create tokens.'}
        </span>
      )}
    </>
  );

  return (
    <>
      <PageHeader title="API Tokens" description={description} actions={createButton} />
      <div role="status" aria-live="polite" className="empty:hidden mb-4">
        {actions.notice && <p className="rounded-md bg-kumo-recessed px-3 py-2 text-sm">{actions.notice}</p>}
      </div>
      {actions.error !== undefined && (
        <div className="mb-4">
          <ApiErrorBanner error={actions.error} title="The action failed" />
        </div>
      )}
      {/* Nothing to search in an empty or unreadable list. */}
      {(query.name !== '' || (data?.totalCount ?? 0) > 0) && (
        <div className="mb-4 max-w-md">
          <Input
            label="Search by name"
            type="search"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            placeholder="e.g. ci"
            description="The API has no name filter: a search reads all your tokens and matches them here, in the browser."
          />
        </div>
      )}
      {data === undefined ? (
        loading ? (
          <LoadingState label="Loading API tokens…" />
        ) : (
          <ListError error={error} />
        )
      ) : (
        <>
          {error !== undefined && <ListError error={error} />}
          {query.name && data.searched !== undefined && (
            <p className="mb-2 text-sm text-kumo-subtle">
              {data.totalCount} of {data.searched} tokens match “{query.name}”.
            </p>
          )}
          {data.totalCount === 0 ? (
            query.name ? (
              <EmptyState
                title={`No token name contains “${query.name}”`}
                description="Try another name, or clear the search to see all your tokens."
                action={<Button onClick={() => setDraft('')}>Clear search</Button>}
              />
            ) : (
              <EmptyState
                title="No API tokens yet."
                description="Create one to let your code call the API."
                action={
                  create.allowed ? (
                    <LinkButton variant="primary" href={dashboardHref('/tokens/new')}>
                      Create Token
                    </LinkButton>
                  ) : undefined
                }
              />
            )
          ) : (
            <>
              <TokensTable
                tokens={data.tokens}
                ownTokenId={session.credential?.kind === 'token' ? session.credential.token.id : undefined}
                onAction={onAction}
              />
              <Pagination
                className="mt-4 flex-wrap"
                page={query.page}
                setPage={(page) => go({ ...query, page })}
                perPage={query.perPage}
                totalCount={data.totalCount}
              >
                <Pagination.Info />
                <Pagination.PageSize
                  value={query.perPage}
                  options={[...PAGE_SIZES]}
                  onChange={(perPage) => go({ ...query, perPage, page: 1 })}
                />
                <Pagination.Controls />
              </Pagination>
            </>
          )}
        </>
      )}
      <TokenActionDialog
        pending={pending}
        ownTokenId={session.credential?.kind === 'token' ? session.credential.token.id : undefined}
        onClose={() => setPending(undefined)}
        run={actions.runConfirmed}
      />
      <RolledTokenDialog
        rolled={rolled}
        onClose={() => {
          setRolled(undefined);
          setGeneration((current) => current + 1);
        }}
      />
    </>
  );
}

/** Why the list could not be read; a refusal says which permission listing needs. */
function ListError({ error }: { error: unknown }) {
  return (
    <div className="mb-4 flex flex-col gap-2">
      <ApiErrorBanner error={error} title="Could not list your API tokens" />
      {statusOf(error) === 403 && (
        <p className="text-sm text-kumo-subtle">
          Listing tokens needs the User permission “API Tokens Read” or “API Tokens Write” (granted by the
          “Create Additional Tokens” template). Log in with a token that has it, or with the Global API key.
        </p>
      )}
    </div>
  );
}
