import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { useSession } from '../../../auth/session.ts';
import { protocolQuery } from '../protocols/api.ts';
import { mayEditProtocols } from '../protocols/editor.ts';
import { DownloadJson } from '../protocols/DownloadJson.tsx';
import { Preview } from '../protocols/Preview.tsx';
import { ProtocolDetails } from '../protocols/ProtocolDetails.tsx';

/**
 * `/telehealth/protocols/:id`: one protocol, read-only, with the reply preview. Clinicians and nurses
 * get a link to change it (`ProtocolEdit.tsx`: a new version, reviewed for enrolled patients).
 */
export default function ProtocolPage() {
  const { id = '' } = useParams();
  const protocol = useQuery(protocolQuery(id));
  const session = useSession();
  const author = session?.kind === 'staff' && mayEditProtocols(session.roleCode);
  if (protocol.status !== 'success') {
    return (
      <>
        <PageTitle caption="Telehealth protocol">Protocol</PageTitle>
        <QueryStatus query={protocol} what="the protocol" errorTitle="The protocol could not be loaded" />
      </>
    );
  }
  const data = protocol.data;
  return (
    <>
      <p className="nhsuk-body">
        <a href="/telehealth/protocols">All protocols</a>
      </p>
      <PageTitle caption={`Telehealth protocol, version ${data.version}`}>{data.title}</PageTitle>
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          Version {data.version} is the latest. A change is published as a new version: patients already enrolled stay
          on theirs until the clinician who enrolled them reviews the change.
        </p>
      </div>
      {author && (
        <p className="nhsuk-body">
          <a href={`/telehealth/protocols/${encodeURIComponent(data.id)}/edit`}>Change this protocol</a>
        </p>
      )}
      <ProtocolDetails protocol={data} />
      <DownloadJson protocol={data} />
      <Preview protocol={data} />
    </>
  );
}
