// Reports every Content Security Policy violation to the host, which counts them per panel: a strict CSP that
// silently blocks a stylesheet or a chart would otherwise go unnoticed. The inline listener in the HTML shell
// buffers violations from before this bundle ran; main.ts imports this module first.
import type { CspViolationMessage } from '../src/extension/panels/quantileRewards/protocol';
import { postToHost } from './vscodeApi';

declare global {
  interface Window {
    qrpoEarlyCspViolations?: SecurityPolicyViolationEvent[];
  }
}

function report(event: SecurityPolicyViolationEvent): void {
  const message: CspViolationMessage = {
    type: 'cspViolation',
    directive: event.effectiveDirective || event.violatedDirective,
    blockedUri: event.blockedURI,
    sample: event.sample,
  };
  postToHost(message);
}

const early = window.qrpoEarlyCspViolations ?? [];
window.qrpoEarlyCspViolations = undefined;
early.forEach(report);
document.addEventListener('securitypolicyviolation', report);
