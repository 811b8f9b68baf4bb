-- The tables the eboekhouden-mutations migration fills, as a match run reads them. e-Boekhouden keeps an
-- invoice's lines and VAT apart and no total, and a payment's amount only in the rows that settle invoices: these
-- views add them up. Create them once (psql "$DATABASE_URL" -f views.sql); a match run reads them live, so what a
-- later sync adds is there for the next run.

-- Customers: the relations the sales invoices name (an e-Boekhouden relation's latest name).
create or replace view eboekhouden_match_customers as
  select distinct on (relation_id) relation_id as id, relation_name as name
  from invoices
  where mutation_type = 2
  order by relation_id, mutation_date desc, invoice_number;

-- Sales invoices (type 2) with what they come to: the lines, plus the VAT when the lines are without it.
create or replace view eboekhouden_match_invoices as
  select i.invoice_number as id, i.invoice_number as number, i.relation_id as customer_id,
         i.mutation_date as issued_on,
         coalesce(lines.amount, 0)
           + case when i.in_ex_vat = 'EX' then coalesce(taxes.amount, 0) else 0 end as amount
  from invoices i
  left join (select invoice_number, sum(amount) as amount from invoice_lines group by 1) lines using (invoice_number)
  left join (select invoice_number, sum(amount) as amount from invoice_taxes group by 1) taxes using (invoice_number)
  where i.mutation_type = 2;

-- Money received (type 3): its amount, and the invoice numbers and description it came with as its reference.
create or replace view eboekhouden_match_payments as
  select p.mutation_id as id, p.mutation_date as paid_on, received.amount,
         p.invoice_numbers as reference, p.description, c.name as payer_name
  from payments p
  join (select mutation_id, sum(amount) as amount from payment_allocations group by 1) received using (mutation_id)
  left join eboekhouden_match_customers c on c.id = p.relation_id
  where p.mutation_type = 3;
