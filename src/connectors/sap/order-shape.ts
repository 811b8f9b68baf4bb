/** SAP Business One Service Layer documents as the API sends them (the fields ferry reads). */

export type SapStatus = 'bost_Open' | 'bost_Close';

export interface SapOrderLine {
  LineNum: number;
  ItemCode: string;
  ItemDescription: string;
  Quantity: number;
  Price: number;
  LineTotal: number;
  LineStatus: SapStatus;
}

export interface SapOrder {
  DocEntry: number;
  DocNum: number;
  CardCode: string;
  CardName: string;
  /** 'YYYY-MM-DD' */
  DocDate: string;
  DocDueDate: string;
  DocTotal: number;
  DocCurrency: string;
  DocumentStatus: SapStatus;
  Comments: string | null;
  /** SAP splits the last change into a date ('YYYY-MM-DD') and a time ('HH:MM:SS'), both in the server's zone. */
  UpdateDate: string;
  UpdateTime: string;
  DocumentLines: SapOrderLine[];
}

export interface SapItem {
  ItemCode: string;
  ItemName: string;
  /** A Manufacturers key; -1 when the item has none. */
  Manufacturer: number;
}

export interface SapManufacturer {
  Code: number;
  ManufacturerName: string;
}
