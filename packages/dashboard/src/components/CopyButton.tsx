import { Button } from '@cloudflare/kumo/components/button';
import { CheckIcon, CopyIcon } from '@phosphor-icons/react';
import { useState } from 'react';

/** Copies `text` to the clipboard and says so (in words, for screen readers too). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <Button size="sm" icon={copied ? <CheckIcon /> : <CopyIcon />} onClick={copy} aria-live="polite">
      {copied ? 'Copied' : label}
    </Button>
  );
}
