//! The core's plain enums, mirrored as UniFFI enums (Kotlin `enum class`, Swift `enum`), with
//! conversions both ways. A variant added in the core fails this file's build until it is
//! mirrored here too.

use onsite_core::assets::AssetKind as CoreAssetKind;
use onsite_core::conflicts::Kept as CoreKept;
use onsite_core::visit::charges::ChargeSource as CoreChargeSource;
use onsite_core::visit::checklist::Outcome as CoreOutcome;
use onsite_core::visit::work::{
    Billing as CoreBilling, PartDirection as CorePartDirection, TimeKind as CoreTimeKind,
};
use onsite_core::work_orders::status::Status as CoreStatus;
use onsite_core::work_orders::{Priority as CorePriority, WorkOrderKind as CoreWorkOrderKind};

/// Declares a UniFFI enum that mirrors a core enum variant by variant, with `From` both ways.
macro_rules! mirror_enum {
    (
        $(#[$meta:meta])*
        $name:ident => $core:ty { $( $(#[$vmeta:meta])* $variant:ident, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl From<$core> for $name {
            fn from(v: $core) -> Self {
                match v { $( <$core>::$variant => $name::$variant, )+ }
            }
        }

        impl From<$name> for $core {
            fn from(v: $name) -> Self {
                match v { $( $name::$variant => <$core>::$variant, )+ }
            }
        }
    };
}

mirror_enum! {
    /// Where a work order stands (see the core's status machine).
    Status => CoreStatus {
        /// Created, nobody assigned.
        New,
        /// Assigned to an engineer, not yet accepted.
        Assigned,
        /// The engineer accepted it.
        Accepted,
        /// The engineer is on the way.
        EnRoute,
        /// The engineer is at the site.
        OnSite,
        /// Waiting for a part.
        AwaitingParts,
        /// Waiting for the customer's approval of the quote.
        AwaitingApproval,
        /// Done, tested and signed off. Final.
        Completed,
        /// Could not be finished; needs a follow-up visit.
        Incomplete,
        /// Called off by the back office. Final.
        Cancelled,
    }
}

mirror_enum! {
    /// What the visit is for.
    WorkOrderKind => CoreWorkOrderKind {
        /// Something is broken.
        Repair,
        /// A new appliance or lock goes in.
        Installation,
        /// Scheduled preventive maintenance.
        Maintenance,
        /// A safety or condition inspection.
        Inspection,
    }
}

mirror_enum! {
    /// How urgent the job is.
    Priority => CorePriority {
        /// When convenient.
        Low,
        /// The usual.
        Normal,
        /// Soon.
        High,
        /// Now.
        Emergency,
    }
}

mirror_enum! {
    /// What kind of thing an asset is.
    AssetKind => CoreAssetKind {
        /// A household appliance.
        Appliance,
        /// A smart lock.
        SmartLock,
    }
}

mirror_enum! {
    /// What time was spent on.
    TimeKind => CoreTimeKind {
        /// Driving to the site.
        Travel,
        /// Working at the site.
        OnSite,
    }
}

mirror_enum! {
    /// Whether a part went in or came out.
    PartDirection => CorePartDirection {
        /// Fitted into the asset.
        Installed,
        /// Taken out of the asset.
        Removed,
    }
}

mirror_enum! {
    /// Who pays for a part.
    Billing => CoreBilling {
        /// Free to the customer: warranty or contract.
        Warranty,
        /// The customer pays, after approving the charges.
        Chargeable,
    }
}

mirror_enum! {
    /// The result of one checklist item.
    Outcome => CoreOutcome {
        /// Checked and fine.
        Pass,
        /// Checked and not fine.
        Fail,
        /// Does not apply.
        NotApplicable,
    }
}

mirror_enum! {
    /// Where a charge comes from.
    ChargeSource => CoreChargeSource {
        /// A chargeable part line.
        Part,
        /// A quote line.
        Quote,
    }
}

mirror_enum! {
    /// Which value survived a conflict.
    Kept => CoreKept {
        /// The device's value.
        Local,
        /// The server's value; the device's is in the entry's `local_value`.
        Remote,
    }
}
