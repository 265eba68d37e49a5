// The trail above a flow's pages: Flows / <flow name> / [more links] /
import { Fragment, useRef } from 'react';
import { Link } from 'wouter';
import { useSnugEllipsis } from '../ui/snug-ellipsis.ts';

export function FlowBreadcrumb({ flowSid, flowName, trail = [] }: { flowSid: string; flowName: string | undefined; trail?: { href: string; label: string }[] }) {
  const name = flowName ?? flowSid;
  // A long name is cut with "…", the " /" after it at a space's distance, as after "Flows".
  const nameLink = useRef<HTMLAnchorElement>(null);
  useSnugEllipsis(nameLink, name);
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link href="/flows">Flows</Link> /{' '}
      <Link ref={nameLink} href={`/flows/${flowSid}`} className="clip" title={flowName}>
        {name}
      </Link>{' '}
      /
      {trail.map((link) => (
        <Fragment key={link.href}>
          {' '}
          <Link href={link.href}>{link.label}</Link> /
        </Fragment>
      ))}
    </nav>
  );
}
