import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { protocolQuery } from '../protocols/api.ts';
import { DownloadJson } from '../protocols/DownloadJson.tsx';
import { Preview } from '../protocols/Preview.tsx';
import { ProtocolDetails } from '../protocols/ProtocolDetails.tsx';

/**
 * `/telehealth/protocols/:id`: one protocol, read-only, with the reply preview. Changing a protocol
 * (a local version a clinician reviews) is to come: it will be an edit form over these sections.
 */
export default function ProtocolPage() {
  const { id = '' } = useParams();
  const protocol = useQuery(protocolQuery(id));
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
          This is the protocol as CareWeave’s library publishes it. Changing it for your practice, with a clinician’s
          review, is not available yet.
        </p>
      </div>
      <ProtocolDetails protocol={data} />
      <DownloadJson protocol={data} />
      <Preview protocol={data} />
    </>
  );
}
