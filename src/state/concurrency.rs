//! Reserved concurrency per function and provisioned concurrency per qualifier, with the account's
//! limits they are measured against.

use super::per_qualifier::PerQualifier;
use super::table::Table;
use lambda_server::model as m;

/// The account's concurrent executions limit.
pub const ACCOUNT_CONCURRENCY: i32 = 1000;
/// What must stay unreserved in the account.
pub const MIN_UNRESERVED: i32 = 100;

/// A provisioned concurrency config of one qualifier (version or alias).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Provisioned {
    pub requested: i32,
    pub available: i32,
    pub allocated: i32,
    pub status: m::ProvisionedConcurrencyStatusEnum,
    pub status_reason: Option<String>,
    pub last_modified: String,
}

#[derive(Default)]
pub struct Concurrency {
    /// Reserved concurrent executions by function name.
    pub reserved: Table<String, i32>,
    /// Provisioned concurrency by (function name, qualifier).
    pub provisioned: PerQualifier<Provisioned>,
}

impl Concurrency {
    pub fn reserved(&self, name: &str) -> Option<i32> {
        self.reserved.get(name).copied()
    }

    /// Reserved concurrency of every function but `except`.
    pub fn reserved_by_others(&self, except: &str) -> i32 {
        self.reserved
            .iter()
            .filter(|(n, _)| n.as_str() != except)
            .map(|(_, r)| *r)
            .sum()
    }

    /// The account's unreserved concurrent executions.
    pub fn unreserved(&self) -> i32 {
        ACCOUNT_CONCURRENCY - self.reserved.values().sum::<i32>()
    }

    pub fn provisioned(&self, name: &str, qualifier: &str) -> Option<&Provisioned> {
        self.provisioned.get_for(name, qualifier)
    }

    /// Every provisioned config of a function, by qualifier.
    pub fn provisioned_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (&'a str, &'a Provisioned)> + 'a {
        self.provisioned.of_function(name)
    }

    /// Marks a provisioned config as allocated (the environments are "ready").
    pub fn finish_provisioning(&mut self, name: &str, qualifier: &str) {
        self.provisioned.update_if(
            &(name.to_owned(), qualifier.to_owned()),
            |p| p.status == m::ProvisionedConcurrencyStatusEnum::InProgress,
            |p| {
                p.status = m::ProvisionedConcurrencyStatusEnum::Ready;
                p.available = p.requested;
                p.allocated = p.requested;
            },
        );
    }

    /// Drops what belongs to a deleted function (or one deleted qualifier of it).
    pub fn forget_function(&mut self, name: &str, qualifier: Option<&str>) {
        if qualifier.is_none() {
            self.reserved.remove(name);
        }
        self.provisioned.forget(name, qualifier);
    }
}
