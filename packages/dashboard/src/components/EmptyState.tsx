import { Empty } from '@cloudflare/kumo/components/empty';
import type { ReactNode } from 'react';

/** A list with nothing in it says what to do next. */
export function EmptyState({
  title,
  description,
  action,
}: {
  title: string;
  description: string;
  action?: ReactNode;
}) {
  return <Empty title={title} description={description} contents={action} />;
}
