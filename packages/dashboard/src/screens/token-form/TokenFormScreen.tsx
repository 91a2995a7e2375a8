import { PageHeader } from '../../components/PageHeader';

export function CreateTokenScreen() {
  return <PageHeader title="Create API Token" description="This screen is being built." />;
}

export function EditTokenScreen() {
  return <PageHeader title="Edit API Token" description="This screen is being built." />;
}
