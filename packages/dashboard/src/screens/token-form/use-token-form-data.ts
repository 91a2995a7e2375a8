import type { DashboardCapability, Organization } from '@userflare/contract';
import { useMemo } from 'react';
import { useApiClient, useCapability } from '../../app/session';
import { useApi } from '../../app/use-api';
import { buildCatalogue, type Catalogue } from './permission-catalogue';

/** The form's reference data: the permission group catalogue and the user's accounts. */
export interface TokenFormData {
  catalogue: Catalogue | undefined;
  catalogueError: unknown;
  /** Reading the catalogue needs API Tokens Read (REFERENCE §2.21). */
  catalogueAccess: DashboardCapability;
  catalogueLoading: boolean;
  reloadCatalogue: () => void;
  /** The accounts the user is a member of; empty when they cannot be read. */
  accounts: Organization[];
  /** Why the accounts are not listed (Memberships Read missing, or the error): type an ID instead. */
  accountsUnavailable?: string;
  accountNames: ReadonlyMap<string, string>;
}

export function useTokenFormData(): TokenFormData {
  const client = useApiClient();
  const catalogueAccess = useCapability('GET /client/v4/user/tokens/permission_groups');
  // The user's accounts come from the SDK's `user.organizations` (Cloudflare's `/accounts` is not part of it).
  const accountsAccess = useCapability('GET /client/v4/user/organizations');
  const catalogue = useApi(async () => {
    if (!catalogueAccess.allowed) return undefined;
    const page = await client.user.tokens.permissionGroups.list();
    return buildCatalogue(page.result);
  }, [client, catalogueAccess.allowed]);
  const accounts = useApi(async () => {
    if (!accountsAccess.allowed) return [];
    const found: Organization[] = [];
    for await (const organization of client.user.organizations.list({ status: 'member', per_page: 50 }))
      found.push(organization);
    return found;
  }, [client, accountsAccess.allowed]);
  const accountNames = useMemo(
    () => new Map((accounts.data ?? []).map((account) => [account.id, account.name])),
    [accounts.data],
  );
  let accountsUnavailable: string | undefined;
  if (!accountsAccess.allowed)
    accountsUnavailable = `This credential cannot list your accounts (${accountsAccess.reason ?? 'Memberships Read is missing'}): type an account ID.`;
  else if (accounts.error !== undefined)
    accountsUnavailable = `Your accounts could not be listed (${accounts.error instanceof Error ? accounts.error.message : String(accounts.error)}): type an account ID.`;
  return {
    catalogue: catalogue.data,
    catalogueError: catalogue.error,
    catalogueAccess,
    catalogueLoading: catalogue.loading && catalogue.data === undefined,
    reloadCatalogue: catalogue.reload,
    accounts: accounts.data ?? [],
    ...(accountsUnavailable ? { accountsUnavailable } : {}),
    accountNames,
  };
}
