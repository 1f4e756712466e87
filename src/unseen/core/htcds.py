"""The Human Trafficking Case Data Standard (HTCDS) as Unseen exchanges journeys in it.

Pure Python: the file layout, the column names and how our values map onto the standard's
picklists (docs/facts/htcds.md says which mappings are the standard's and which are ours). The
export writer (publishing/exports/htcds.py) and the import (journeys/importing.py) both use it,
so an export at the full level reads back to the same journeys.
"""

from collections.abc import Iterable, Mapping
from typing import Any

CASES_FILE = "cases.csv"
EVENTS_FILE = "historic_trafficking_events.csv"
INDICATORS_FILE = "indicators.csv"

# Multiselect values are joined with this in one cell.
SEPARATOR = ";"
# A value the export withheld (the top of a generalisation ladder).
WITHHELD = "*"

# Our stages onto hte_Type. Exit has no HTCDS type: hte_Type stays blank, our `stage` says it.
HTE_TYPE = {
    "recruitment": "Recruitment",
    "vetting": "Recruitment",
    "departure": "Recruitment",
    "transit": "Transit",
    "deployment": "Exploitation",
    "exploitation": "Exploitation",
    "exit": "",
}

METHOD_OF_RECRUITMENT = {
    "state_assignment": "Work",
    "applied": "Job offer/advertisement",
    "personal_connection": "Other",
    "other": "Other",
    "unknown": "Unknown",
}

METHODS_OF_CONTROL = {
    "debt_bondage": "DebtBondage",
    "withholding_of_wages": "TakesEarnings",
    "intimidation_threats": "Threats",
    "physical_sexual_violence": "PhysicalAbuse",
    "deception": "FalsePromises",
    "restriction_of_movement": "RestrictsMovement",
    "isolation": "RestrictsMovement",
    "excessive_overtime": "ExcessiveWorkingHours",
    "retention_of_documents": "WithholdsDocuments",
    "abusive_conditions": "Other",
    "abuse_of_vulnerability": "Other",
}

LABOUR_INDUSTRY = {
    "A": "A_AgricultureForestryAndFishing",
    "B": "B_MiningAndQuarrying",
    "C": "C_Manufacturing",
    "D": "D_ElectricityGasSteamAndAirConditioningSupply",
    "E": "E_WaterSupplySewerageWasteManagement",
    "F": "F_Construction",
    "G": "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
    "H": "H_TransportationAndStorage",
    "I": "I_AccommodationAndFoodServiceActivities",
    "J": "J_InformationAndCommunication",
    "K": "K_FinancialAndInsuranceActivities",
    "L": "L_RealEstateActivities",
    "M": "M_ProfessionalScientificAndTechnicalActivities",
    "N": "N_AdministrativeAndSupportServiceActivities",
    "O": "O_PublicAdministrationAndDefence",
    "P": "P_Education",
    "Q": "Q_HumanHealthAndSocialWorkActivities",
    "R": "R_ArtsEntertainmentAndRecreation",
    "S": "S_OtherServiceActivities",
    "T": "T_ActivitiesOfHouseholdsAsEmployers",
    "U": "U_ActivitiesOfExtraterritorialOrganizations",
}

TYPE_OF_LABOUR_EXPLOITATION = {
    "A": "Agriculture",
    "B": "MiningOrDrilling",
    "C": "Manufacturing",
    "F": "Construction",
    "H": "Transportation",
    "I": "Hospitality",
    "T": "DomesticWork",
}

ROLE_IN_PROCESS = {
    "recruiter": "RecruiterOrIntermediary",
    "broker": "BrokerTravelAgent",
    "transporter": "Transporter",
    "exploiter": "Exploiter",
    "controller": "ControlledIndividual",
    "other": "Other",
}
ROLE_FROM_HTCDS = {value: key for key, value in ROLE_IN_PROCESS.items()}

# The cases file: one row per testimony.
CASE_COLUMNS = [
    "case_id",
    "is_synthetic",
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_LabourIndustry",
    "vic_TypeOfLabourExploitation",
    "events",
]

# The events file: HTCDS's hte_ fields and the perpetrator's role, then ours, so that nothing is
# lost on the way back (stage, position and every precision).
HTE_COLUMNS = [
    "hte_Type",
    "hte_Date",
    "hte_Country",
    "hte_City",
    "hte_State",
    "hte_Latitude",
    "hte_Longitude",
    "hte_Description",
    "per_RoleInProcess",
]
OUR_EVENT_COLUMNS = [
    "case_id",
    "event_id",
    "position",
    "stage",
    "date_start_precision",
    "date_end",
    "date_end_precision",
    "place_precision",
    "site_id",
    "organisation_id",
    "channel",
    "health_check",
    "loyalty_check",
    "bribe_paid",
    "bribe_amount_usd",
    "months_waited",
    "route",
    "border_crossings",
    "documents_held_by",
    "sector",
    "deployment_id",
    "exit_kind",
    "indicators",
]
EVENT_COLUMNS = HTE_COLUMNS + OUR_EVENT_COLUMNS

INDICATOR_COLUMNS = ["case_id", "event_id", "indicator", "passage"]


def _multi(values: Iterable[str]) -> str:
    return SEPARATOR.join(sorted({v for v in values if v}))


def _mapped(value: str, mapping: Mapping[str, str], default: str = "Other") -> str:
    if value == WITHHELD:
        return WITHHELD
    return mapping.get(value, default) if value else ""


def split(value: Any) -> list[str]:
    """A multiselect cell (or a list) as its values."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return [v for v in str(value or "").split(SEPARATOR) if v]


def victim_context(
    events: Iterable[Mapping[str, Any]], codings: Iterable[str] = ()
) -> dict[str, str]:
    """The vic_ fields of a case, from its events and the indicators coded for the testimony.

    `events` use the internal column names (the export's tables); `codings` are the indicators
    coded present for the whole testimony.
    """
    events = list(events)
    channels = [str(e.get("channel") or "") for e in events]
    sectors = [str(e.get("sector") or "") for e in events]
    indicators = [i for e in events for i in split(e.get("indicators"))] + list(codings)
    control = [_mapped(i, METHODS_OF_CONTROL) for i in indicators]
    if any(
        str(e.get("documents_held_by") or "") not in ("", "worker", "unknown", WITHHELD)
        for e in events
    ):
        control.append("WithholdsDocuments")
    return {
        "vic_MethodOfRecruitment": _multi(_mapped(c, METHOD_OF_RECRUITMENT) for c in channels),
        "vic_MethodsOfControl": _multi(control),
        "vic_LabourIndustry": _multi(_mapped(s, LABOUR_INDUSTRY) for s in sectors),
        "vic_TypeOfLabourExploitation": _multi(
            _mapped(s, TYPE_OF_LABOUR_EXPLOITATION) for s in sectors
        ),
    }


def event_row(event: Mapping[str, Any]) -> dict[str, Any]:
    """An event (internal column names) as a row of the events file."""
    role = str(event.get("organisation_role") or "")
    row = {column: event.get(column) for column in OUR_EVENT_COLUMNS}
    row.update(
        hte_Type=HTE_TYPE.get(str(event.get("stage") or ""), ""),
        hte_Date=event.get("date_start"),
        hte_Country=event.get("country"),
        hte_City=event.get("place"),
        hte_State="",
        hte_Latitude=event.get("latitude"),
        hte_Longitude=event.get("longitude"),
        hte_Description=event.get("notes"),
        per_RoleInProcess=_mapped(role, ROLE_IN_PROCESS),
        indicators=_multi(split(event.get("indicators"))),
    )
    return row
