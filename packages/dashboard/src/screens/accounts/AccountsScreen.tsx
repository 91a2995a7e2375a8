import { Banner } from '@cloudflare/kumo/components/banner';
import { Pagination } from '@cloudflare/kumo/components/pagination';
import { CheckCircleIcon, WarningCircleIcon } from '@phosphor-icons/react';
import type { Organization } from '@userflare/client';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApiClient, useCapability } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { AccountsTable } from './AccountsTable';
import { type LeaveRefusal, leaveRefusalOf } from './leave-refusal';

const LEAVE = 'DELETE /client/v4/user/organizations/:organization_id';
const PER_PAGE = 20;

/**
 * The accounts the user belongs to or is invited to (`GET /user/organizations`), each with its roles,
 * and Leave (`DELETE /user/organizations/{id}`) after a confirmation naming the account.
 */
export function AccountsScreen() {
  const client = useApiClient();
  const leave = useCapability(LEAVE);
  const [search, setSearch] = useSearchParams();
  const page = Math.max(1, Number(search.get('page')) || 1);
  const accounts = useApi(
    () => client.user.organizations.list({ page, per_page: PER_PAGE, order: 'name' }),
    [client, page],
  );
  const [leaving, setLeaving] = useState<Organization | undefined>(undefined);
  const [leaveOpen, setLeaveOpen] = useState(false);
  const [left, setLeft] = useState<string | undefined>(undefined);
  const [refusal, setRefusal] = useState<LeaveRefusal | undefined>(undefined);

  const confirmLeave = async () => {
    if (!leaving) return;
    setRefusal(undefined);
    setLeft(undefined);
    try {
      await client.user.organizations.delete(leaving.id);
      setLeft(leaving.name);
      accounts.reload();
    } catch (error) {
      const refused = leaveRefusalOf(error, leaving.name);
      if (!refused) throw error;
      // The refusal is the answer, not a failure of the dialog: it closes and the page explains it.
      setRefusal(refused);
    }
  };

  const notAllowed = leave.allowed ? undefined : (leave.reason ?? 'Your credential may not leave accounts.');
  const list = accounts.data?.result ?? [];
  const total = accounts.data?.result_info?.total_count ?? list.length;

  return (
    <>
      <PageHeader
        title="Accounts"
        description="The Cloudflare accounts you are a member of, and your roles in each. Invites you have not answered are listed as pending."
      />
      <div className="flex flex-col gap-4">
        {left && (
          <div role="status">
            <Banner
              icon={<CheckCircleIcon aria-hidden />}
              title={`You left ${left}`}
              description="Its resources are no longer yours to manage. A Super Administrator can invite you again."
            />
          </div>
        )}
        {refusal && (
          <div role="alert">
            <Banner
              variant="error"
              icon={<WarningCircleIcon aria-hidden />}
              title="You cannot leave this account yet"
              description={
                <>
                  <span className="block">{refusal.summary}</span>
                  <span className="mt-1 block text-kumo-subtle">
                    {refusal.message} (code {refusal.code})
                  </span>
                </>
              }
            />
          </div>
        )}
        {notAllowed && (
          <p id="accounts-not-allowed" className="text-sm text-kumo-subtle">
            Leave is disabled: {notAllowed}
          </p>
        )}
        {accounts.error !== undefined && (
          <ApiErrorBanner error={accounts.error} title="The accounts could not be loaded" />
        )}
        {accounts.loading && accounts.data === undefined ? (
          <LoadingState label="Loading accounts…" />
        ) : accounts.data !== undefined && list.length === 0 && page === 1 ? (
          <EmptyState
            title="No accounts"
            description="You are not a member of any account yet. Accept an invite to join one; a Super Administrator of that account sends it."
            action={
              <Link to="/invites" className="font-medium text-kumo-link underline">
                Go to Invites
              </Link>
            }
          />
        ) : (
          accounts.data !== undefined && (
            <>
              <AccountsTable
                accounts={list}
                notAllowed={notAllowed}
                notAllowedId="accounts-not-allowed"
                onLeave={(account) => {
                  setLeaving(account);
                  setLeaveOpen(true);
                }}
              />
              {total > PER_PAGE && (
                <Pagination
                  page={page}
                  perPage={PER_PAGE}
                  totalCount={total}
                  setPage={(next) => setSearch(next === 1 ? {} : { page: String(next) })}
                />
              )}
            </>
          )
        )}
      </div>
      <ConfirmDialog
        open={leaveOpen}
        onOpenChange={setLeaveOpen}
        title={`Leave ${leaving?.name ?? ''}?`}
        description={
          <>
            You will lose access to <strong>{leaving?.name}</strong> ({leaving?.id}) and your roles there:{' '}
            {leaving?.roles.join(', ')}. To come back, a Super Administrator must invite you again.
          </>
        }
        confirmLabel="Leave account"
        destructive
        onConfirm={confirmLeave}
      />
    </>
  );
}
