//! The root component: shared state, the router and the page frame.

use leptos::prelude::*;
use leptos_router::components::Router;

use crate::components::Layout;
use crate::context::{provide_server_info, Session};
use crate::routes::AppRoutes;

#[component]
pub fn App() -> impl IntoView {
    Session::provide();
    provide_server_info();
    view! {
        <Router>
            <Layout>
                <AppRoutes />
            </Layout>
        </Router>
    }
}
