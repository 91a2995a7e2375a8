import { type ReactNode, useId } from 'react';

/** A titled block of an Emulator page: an `<h2>` under the page's one `<h1>`. */
export function Section({
  title,
  description,
  actions,
  children,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  children?: ReactNode;
}) {
  const id = useId();
  return (
    <section
      aria-labelledby={id}
      className="flex min-w-0 flex-col gap-4 rounded-lg border border-kumo-line bg-kumo-base p-4 md:p-6"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 flex-1 basis-72">
          <h2 id={id} className="text-base font-semibold text-kumo-default">
            {title}
          </h2>
          {description && <p className="mt-1 max-w-3xl text-sm text-kumo-subtle">{description}</p>}
        </div>
        {actions && <div className="flex shrink-0 flex-wrap items-center gap-2">{actions}</div>}
      </div>
      {children}
    </section>
  );
}
