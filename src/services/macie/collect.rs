//! Macie, per region: GetMacieSession; where Macie is on, GetAdministratorAccount (a member
//! account is not judged on automated discovery) and GetAutomatedDiscoveryConfiguration.

use aws_sdk_macie2::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::{Inventory, Session};
use crate::aws::{code_of, regional_client, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_macie2);

/// How Macie answers any call where it is not enabled: `AccessDeniedException`, "Macie is not
/// enabled." (AWS Support, quoted in DataBiosphere/azul#5779; prowler-cloud/prowler#1279). A
/// denied permission has the same code and another message ("... is not authorized to
/// perform ..."), and stays an error.
const NOT_ENABLED: &str = "Macie is not enabled";

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let errors = &mut collection.errors;
    let call = Call::new("macie2", region, "GetMacieSession");
    let status = match client.get_macie_session().send().await {
        Ok(session) => session.status().map(|s| s.as_str().to_string()),
        Err(error)
            if code_of(&error) == Some("AccessDeniedException")
                && error.message().is_some_and(|m| m.contains(NOT_ENABLED)) =>
        {
            collection
                .inventory
                .sessions
                .insert(region.to_string(), None);
            return collection;
        }
        Err(error) => {
            errors.push(call.error(&error));
            return collection;
        }
    };
    let Some(status) = status else {
        return collection;
    };

    let answer = client.get_administrator_account().send().await;
    let call = Call::new("macie2", region, "GetAdministratorAccount");
    let administrator = call.read(answer, errors, |o| {
        (o.administrator().and_then(|a| a.account_id())).map(str::to_string)
    });
    let answer = client.get_automated_discovery_configuration().send().await;
    let call = Call::new("macie2", region, "GetAutomatedDiscoveryConfiguration");
    let automated_discovery = call
        .read(answer, errors, |o| {
            o.status().map(|s| s.as_str().to_string())
        })
        .flatten();
    let session = Session {
        status,
        administrator_read: administrator.is_some(),
        administrator: administrator.flatten(),
        automated_discovery,
    };
    (collection.inventory.sessions).insert(region.to_string(), Some(session));
    collection
}
