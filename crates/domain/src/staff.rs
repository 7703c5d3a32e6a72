//! Staff accounts as values: a login compared without case
//! ([`StaffLogin`]), the roles a person holds ([`StaffRoles`]), where they may
//! work ([`StaffScope`]) and the account's [`StaffState`].

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ParseError;
use crate::role::Role;

/// A staff sign-in name: 2 to 64 of `a-z 0-9 . _ -`, kept lower-case, so
/// `Sam` and `sam` are one login.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StaffLogin(String);

impl StaffLogin {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim().to_lowercase();
        let ok = (2..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b));
        if ok {
            Ok(Self(s))
        } else {
            Err(ParseError::new("STAFF_LOGIN_INVALID", "a login is 2 to 64 letters, digits, '.', '_' or '-'"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StaffLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The staff roles a person holds: at least one of officer, authority,
/// supervisor, auditor, in that order, each once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StaffRoles(Vec<Role>);

impl StaffRoles {
    /// The roles a staff account may hold.
    pub const STAFF: [Role; 4] = [Role::Officer, Role::Authority, Role::Supervisor, Role::Auditor];

    pub fn new(roles: impl IntoIterator<Item = Role>) -> Result<Self, ParseError> {
        let roles: Vec<Role> = roles.into_iter().collect();
        if roles.is_empty() || roles.iter().any(|r| !Self::STAFF.contains(r)) {
            return Err(Self::invalid());
        }
        Ok(Self(Self::STAFF.into_iter().filter(|r| roles.contains(r)).collect()))
    }

    fn invalid() -> ParseError {
        ParseError::new("STAFF_ROLES_INVALID", "roles are one or more of officer, authority, supervisor, auditor")
    }

    /// Parses `officer,supervisor` (commas or spaces).
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let roles = s
            .split([',', ' '])
            .filter(|p| !p.trim().is_empty())
            .map(|p| Role::parse(p).map_err(|_| Self::invalid()))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(roles)
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// The first role (officer before authority before supervisor before auditor).
    pub fn first(&self) -> Role {
        self.0.first().copied().unwrap_or(Role::Auditor)
    }

    /// Whether holding these roles requires a second factor (authority, supervisor).
    pub fn needs_second_factor(&self) -> bool {
        self.contains(Role::Authority) || self.contains(Role::Supervisor)
    }
}

impl fmt::Display for StaffRoles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|r| r.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

/// Where a person (or a device token) may work; empty lists mean anywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffScope {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub districts: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checkpoints: Vec<String>,
}

impl StaffScope {
    /// Parses `district:330102,checkpoint:<id>` (commas or spaces); empty is anywhere.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let mut scope = Self::default();
        for part in s.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once(':') {
                Some(("district", d)) if !d.is_empty() && d.len() <= 12 && d.bytes().all(|b| b.is_ascii_digit()) => {
                    scope.districts.push(d.to_string())
                }
                Some(("checkpoint", c)) if !c.is_empty() && c.len() <= 64 => scope.checkpoints.push(c.to_string()),
                _ => {
                    return Err(ParseError::new(
                        "STAFF_SCOPE_INVALID",
                        "a scope is a list of district:<code> and checkpoint:<id>",
                    ));
                }
            }
        }
        Ok(scope)
    }

    pub fn is_anywhere(&self) -> bool {
        self.districts.is_empty() && self.checkpoints.is_empty()
    }

    /// Whether work at a checkpoint (by id, in a district) is within the scope:
    /// anywhere, or the checkpoint is listed, or its district is.
    pub fn allows_checkpoint(&self, checkpoint: &str, district: Option<&str>) -> bool {
        self.is_anywhere()
            || self.checkpoints.iter().any(|c| c == checkpoint)
            || district.is_some_and(|d| self.districts.iter().any(|x| x == d))
    }
}

impl fmt::Display for StaffScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_anywhere() {
            return f.write_str("anywhere");
        }
        let parts: Vec<String> = self
            .districts
            .iter()
            .map(|d| format!("district:{d}"))
            .chain(self.checkpoints.iter().map(|c| format!("checkpoint:{c}")))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// Where an account stands: invited (no password yet), active, locked after
/// repeated failures, or disabled by a supervisor or the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffState {
    Invited,
    Active,
    Locked,
    Disabled,
}

impl StaffState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
            Self::Locked => "locked",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Invited, Self::Active, Self::Locked, Self::Disabled].into_iter().find(|x| x.as_str() == s)
    }
}

impl fmt::Display for StaffState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_ignore_case_and_refuse_odd_characters() {
        assert_eq!(StaffLogin::parse(" Sam ").unwrap(), StaffLogin::parse("sam").unwrap());
        assert!(StaffLogin::parse("s").is_err());
        assert!(StaffLogin::parse("sam smith").is_err());
    }

    #[test]
    fn roles_are_staff_roles_in_order() {
        let r = StaffRoles::parse("supervisor, officer").unwrap();
        assert_eq!(r.to_string(), "officer,supervisor");
        assert!(r.needs_second_factor());
        assert!(StaffRoles::parse("resident").is_err());
        assert!(StaffRoles::parse("").is_err());
        assert!(!StaffRoles::parse("officer").unwrap().needs_second_factor());
    }

    #[test]
    fn scope_allows_listed_checkpoints_and_districts() {
        let s = StaffScope::parse("district:330102,checkpoint:abc").unwrap();
        assert!(s.allows_checkpoint("abc", None));
        assert!(s.allows_checkpoint("x", Some("330102")));
        assert!(!s.allows_checkpoint("x", Some("330103")));
        assert!(StaffScope::parse("").unwrap().allows_checkpoint("x", None));
        assert!(StaffScope::parse("planet:mars").is_err());
    }
}
