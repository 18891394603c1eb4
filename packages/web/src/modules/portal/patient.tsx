import type { ComponentType } from 'react';
import { Navigate } from 'react-router';
import { portalPatientId, useSession } from '../../auth/session.ts';
import type { LazyPage } from '../contract.ts';

type PatientPage = ComponentType<{ patientId: string }>;

/**
 * Portal pages show one person's record: the signed-in patient's, or the person a carer acts for.
 * A carer who has not chosen yet is sent to choose.
 */
function withPortalPatient(Page: PatientPage): ComponentType {
  function PortalPage() {
    const patientId = portalPatientId(useSession());
    return patientId ? <Page patientId={patientId} /> : <Navigate replace to="/choose-person" />;
  }
  PortalPage.displayName = `Portal(${Page.displayName ?? Page.name})`;
  return PortalPage;
}

/** A lazily loaded portal page (its default export takes the `patientId`). */
export function portalPage(load: () => Promise<{ default: PatientPage }>): LazyPage {
  return () => load().then((module) => ({ default: withPortalPatient(module.default) }));
}
