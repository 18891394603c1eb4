import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { Select, TextInput } from '../../../components/fields.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import {
  createOrganisation,
  listOrganisations,
  ORGANISATION_TYPES,
  organisationTypeName,
  type AdminOrganisation,
} from '../api.ts';

/** Every organisation by name, with its ODS code and type, and a form to add one. */
export default function Organisations() {
  const organisations = useQuery({ queryKey: ['admin', 'organisations'], queryFn: listOrganisations });
  const sorted = [...(organisations.data ?? [])].sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id));
  return (
    <>
      <PageTitle>Organisations</PageTitle>
      <QueryStatus query={organisations} what="organisations" />
      {organisations.data && (
        <ResponsiveTable<AdminOrganisation>
          caption={`${sorted.length} organisations, by name`}
          rows={sorted}
          rowKey={(o) => o.id}
          columns={[
            { key: 'name', header: 'Name', cell: (o) => o.name ?? 'No name', rowHeader: true },
            { key: 'ods', header: 'ODS code', cell: (o) => o.ods ?? 'None' },
            { key: 'type', header: 'Type', cell: (o) => organisationTypeName(o.type) },
          ]}
        />
      )}
      <AddOrganisation organisations={sorted} />
    </>
  );
}

type Problems = Partial<Record<'org-name' | 'org-ods' | 'org-type', string>>;

function AddOrganisation({ organisations }: { organisations: AdminOrganisation[] }) {
  const [name, setName] = useState('');
  const [ods, setOds] = useState('');
  const [type, setType] = useState('');
  const [partOf, setPartOf] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const queries = useQueryClient();
  const create = useMutation({
    mutationFn: createOrganisation,
    onSuccess: () => {
      setName('');
      setOds('');
      setType('');
      setPartOf('');
      void queries.invalidateQueries({ queryKey: ['admin', 'organisations'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const code = ods.trim().toUpperCase();
    const found: Problems = {
      ...(name.trim() ? {} : { 'org-name': 'Enter the organisation’s name' }),
      ...(/^[A-Z0-9]{3,10}$/.test(code)
        ? {}
        : { 'org-ods': 'Enter its ODS code: 3 to 10 letters and digits, like Y01234' }),
      ...(type ? {} : { 'org-type': 'Choose what kind of organisation it is' }),
    };
    setProblems(found);
    if (Object.keys(found).length === 0) {
      create.mutate({ name: name.trim(), ods: code, type, ...(partOf ? { partOf } : {}) });
    }
  };
  const added = create.data;
  return (
    <section aria-labelledby="add-org-heading">
      <h2 className="nhsuk-heading-m" id="add-org-heading">
        Add an organisation
      </h2>
      <ErrorSummary id="org-errors" errors={problems} focusOnShow />
      {create.error && <ErrorMessage title="The organisation was not added" error={create.error} />}
      {added && <Notice title={`${added.name ?? added.id} added`} />}
      <form onSubmit={submit} noValidate aria-label="Add an organisation">
        <TextInput id="org-name" label="Name" value={name} error={problems['org-name']} onChange={setName} width="30" />
        <TextInput
          id="org-ods"
          label="ODS code"
          hint="The organisation’s code in the NHS Organisation Data Service."
          value={ods}
          error={problems['org-ods']}
          onChange={setOds}
          width="10"
        />
        <Select
          id="org-type"
          label="Type"
          value={type}
          error={problems['org-type']}
          onChange={setType}
          options={ORGANISATION_TYPES.map((t) => ({ value: t.code, label: t.label }))}
        />
        <Select
          id="org-part-of"
          label="Part of (optional)"
          hint="For a site or team that belongs to a larger organisation."
          value={partOf}
          onChange={setPartOf}
          placeholder="Not part of another"
          options={organisations.map((o) => ({ value: o.id, label: o.name ?? o.id }))}
        />
        <Button type="submit" secondary disabled={create.isPending}>
          Add organisation
        </Button>
      </form>
    </section>
  );
}
