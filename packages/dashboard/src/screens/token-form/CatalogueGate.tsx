import { Button } from '@cloudflare/kumo/components/button';
import type { ReactNode } from 'react';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { LoadingState } from '../../components/LoadingState';
import { Notice } from '../../components/Notice';
import type { Catalogue } from './permission-catalogue';
import type { TokenFormData } from './use-token-form-data';

/**
 * The form needs the permission group catalogue (`GET /user/tokens/permission_groups`, API Tokens
 * Read or Write — REFERENCE §2.21). Until it has it: loading, or why it cannot be read.
 */
export function CatalogueGate({
  data,
  children,
}: {
  data: TokenFormData;
  children: (data: TokenFormData & { catalogue: Catalogue }) => ReactNode;
}) {
  if (!data.catalogueAccess.allowed)
    return (
      <div role="alert">
        <Notice tone="denied" title="This credential cannot read the permission group catalogue">
          The form picks permissions from <code>GET /user/tokens/permission_groups</code>, which needs API
          Tokens Read or API Tokens Write. {data.catalogueAccess.reason} Sign in with a token that has one of
          them, or with the Global API key.
        </Notice>
      </div>
    );
  if (data.catalogueError !== undefined && !data.catalogue)
    return (
      <div className="flex flex-col items-start gap-2">
        <ApiErrorBanner error={data.catalogueError} title="Could not load the permission group catalogue" />
        <Button onClick={data.reloadCatalogue}>Try again</Button>
      </div>
    );
  if (!data.catalogue) return <LoadingState label="Loading the permission group catalogue…" />;
  return <>{children({ ...data, catalogue: data.catalogue })}</>;
}
