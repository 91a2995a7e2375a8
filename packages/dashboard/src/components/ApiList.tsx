import type { ReactNode } from 'react';
import type { ApiState } from '../app/use-api';
import { ApiErrorBanner } from './ApiErrorBanner';
import { EmptyState } from './EmptyState';
import { LoadingState } from './LoadingState';

/**
 * A list the API answers, in its four states: loading, refused (Cloudflare's error), empty, or
 * `children` given the items. Once loaded, a reload keeps the items on screen.
 */
export function ApiList<T>({
  state,
  loadingLabel,
  errorTitle,
  emptyTitle,
  emptyDescription,
  children,
}: {
  state: Pick<ApiState<T[]>, 'data' | 'error' | 'loading'>;
  loadingLabel: string;
  errorTitle: string;
  emptyTitle: string;
  emptyDescription: string;
  children: (items: T[]) => ReactNode;
}) {
  if (!state.data && state.loading) return <LoadingState label={loadingLabel} />;
  if (!state.data) return <ApiErrorBanner error={state.error} title={errorTitle} />;
  if (state.data.length === 0) return <EmptyState title={emptyTitle} description={emptyDescription} />;
  return children(state.data);
}
