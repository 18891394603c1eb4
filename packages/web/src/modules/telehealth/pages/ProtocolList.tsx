import { useQuery } from '@tanstack/react-query';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import { protocolListQuery, type ProtocolSummary } from '../protocols/api.ts';

/** `/telehealth/protocols`: the protocol library, each with who it is for and the guideline it follows. */
export default function ProtocolList() {
  const protocols = useQuery(protocolListQuery);
  return (
    <>
      <PageTitle caption="Telehealth by text message">Protocols</PageTitle>
      <p className="nhsuk-body">
        What each protocol asks and when, what its readings mean, and what patients are told. Open one to preview how a
        reply would be read. To enrol a patient, open their record and choose “Enrol on telehealth”.
      </p>
      {protocols.status === 'success' ? (
        <ResponsiveTable
          caption="The protocol library"
          captionHidden
          columns={[
            {
              key: 'title',
              header: 'Protocol',
              rowHeader: true,
              cell: (p: ProtocolSummary) => <a href={`/telehealth/protocols/${p.id}`}>{p.title}</a>,
            },
            { key: 'purpose', header: 'Who it is for', cell: (p: ProtocolSummary) => p.purpose },
            { key: 'guideline', header: 'Guideline', cell: (p: ProtocolSummary) => p.guideline.citation },
            { key: 'version', header: 'Version', numeric: true, cell: (p: ProtocolSummary) => p.version },
          ]}
          rows={protocols.data}
          rowKey={(p) => p.id}
        />
      ) : (
        <QueryStatus query={protocols} what="the protocols" errorTitle="The protocols could not be loaded" />
      )}
    </>
  );
}
