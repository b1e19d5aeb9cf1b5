//! The personal-data scopes (`name`, `address`, `birthdate`, `gender`): which claims each
//! releases, from the holder attributes of a verified signing-certificate proof. Only the scopes
//! the holder consented to on the consent screen are released; without them the card is asked
//! for the authentication PIN only and nothing personal leaves it.

use kazasu_core::login::LinkedHolder;
use kazasu_core::vocabulary::Sex;
use serde_json::{Map, Value};

/// The personal-data scopes, in the order the consent screen lists them.
pub const PERSONAL_SCOPES: [&str; 4] = ["name", "address", "birthdate", "gender"];

/// What the consent screen says a scope releases.
pub fn describe(scope: &str) -> &'static str {
    match scope {
        "name" => "your name",
        "address" => "your address",
        "birthdate" => "your date of birth",
        "gender" => "your gender",
        _ => "nothing",
    }
}

/// The personal scopes among `scope` (space-separated), in [`PERSONAL_SCOPES`] order.
pub fn personal_scopes(scope: &str) -> Vec<String> {
    PERSONAL_SCOPES
        .iter()
        .filter(|p| scope.split(' ').any(|s| s == **p))
        .map(|p| (*p).to_owned())
        .collect()
}

/// The claims of `scopes` from `holder`: `name`, `address` (`{"formatted"}`), `birthdate`
/// (`YYYY-MM-DD`), `gender` (`male`, `female`, or `not_applicable`).
pub fn claims(holder: &LinkedHolder, scopes: &[String]) -> Map<String, Value> {
    let mut out = Map::new();
    for scope in scopes {
        match scope.as_str() {
            "name" => {
                out.insert("name".into(), holder.name.clone().into());
            }
            "address" => {
                if let Some(a) = &holder.address {
                    out.insert("address".into(), serde_json::json!({ "formatted": a }));
                }
            }
            "birthdate" => {
                out.insert("birthdate".into(), holder.birth_date.to_string().into());
            }
            "gender" => {
                let g = match holder.sex {
                    Some(Sex::Male) => Some("male"),
                    Some(Sex::Female) => Some("female"),
                    Some(Sex::NotApplicable) => Some("not_applicable"),
                    None => None,
                };
                if let Some(g) = g {
                    out.insert("gender".into(), g.into());
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_consented_scopes_are_released() {
        let holder = LinkedHolder {
            name: "電子　太郎".into(),
            birth_date: time::macros::date!(1980 - 02 - 17),
            address: Some("東京都".into()),
            sex: Some(Sex::Male),
        };
        assert_eq!(personal_scopes("openid gender name"), ["name", "gender"]);
        let c = claims(&holder, &personal_scopes("openid birthdate"));
        assert_eq!(
            Value::Object(c),
            serde_json::json!({ "birthdate": "1980-02-17" })
        );
        let all = claims(
            &holder,
            &personal_scopes("openid name address birthdate gender"),
        );
        assert_eq!(all.len(), 4);
        assert_eq!(all["address"]["formatted"], "東京都");
        assert!(claims(&holder, &[]).is_empty());
    }
}
