import { PageHeader } from '../../components/PageHeader';

export function AuditLogScreen() {
  return <PageHeader title="Audit Log" description="This screen is being built." />;
}
