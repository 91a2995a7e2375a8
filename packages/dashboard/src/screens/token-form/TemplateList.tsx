import { Button } from '@cloudflare/kumo/components/button';
import { LayerCard } from '@cloudflare/kumo/components/layer-card';
import { describeTemplate, TEMPLATES } from './templates';

/**
 * Step 1 of Create Token (research §1.2): Cloudflare's templates, each with "Use template", and
 * "Create Custom Token" → "Get started". A choice is a URL (`?template=…`), so Back returns here.
 */
export function TemplateList({ onChoose }: { onChoose: (templateId: string) => void }) {
  return (
    <div className="flex flex-col gap-8">
      <section aria-labelledby="templates-heading" className="flex flex-col gap-3">
        <h2 id="templates-heading" className="text-lg font-semibold text-kumo-default">
          API token templates
        </h2>
        <LayerCard className="p-0">
          <ul className="divide-y divide-kumo-line">
            {TEMPLATES.map((template) => (
              <li
                key={template.id}
                className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center sm:justify-between"
              >
                <div className="min-w-0">
                  <h3 className="font-medium text-kumo-default">{template.name}</h3>
                  <ul className="mt-1 text-sm text-kumo-subtle">
                    {describeTemplate(template).map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                </div>
                <Button
                  className="shrink-0 self-start sm:self-center"
                  aria-label={`Use template: ${template.name}`}
                  onClick={() => onChoose(template.id)}
                >
                  Use template
                </Button>
              </li>
            ))}
          </ul>
        </LayerCard>
      </section>
      <section aria-labelledby="custom-heading" className="flex flex-col gap-3">
        <h2 id="custom-heading" className="text-lg font-semibold text-kumo-default">
          Custom token
        </h2>
        <LayerCard className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center sm:justify-between">
          <div>
            <h3 className="font-medium text-kumo-default">Create Custom Token</h3>
            <p className="mt-1 text-sm text-kumo-subtle">
              Choose the permissions, resources, client IP filter and TTL yourself.
            </p>
          </div>
          <Button
            variant="primary"
            className="shrink-0 self-start sm:self-center"
            aria-label="Get started: Create Custom Token"
            onClick={() => onChoose('custom')}
          >
            Get started
          </Button>
        </LayerCard>
      </section>
    </div>
  );
}
