// The trail above a flow's pages: Flows / <flow name> / [more links] /
import { Fragment } from 'react';
import { Link } from 'wouter';

export function FlowBreadcrumb({ flowSid, flowName, trail = [] }: { flowSid: string; flowName: string | undefined; trail?: { href: string; label: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link href="/flows">Flows</Link> / <Link href={`/flows/${flowSid}`} className="clip" title={flowName}>
        {flowName ?? flowSid}
      </Link> /
      {trail.map((link) => (
        <Fragment key={link.href}>
          {' '}
          <Link href={link.href}>{link.label}</Link> /
        </Fragment>
      ))}
    </nav>
  );
}
