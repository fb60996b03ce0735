//! Black-box tests of the server: each test starts the real server on 127.0.0.1:0 against a
//! Bitbucket sandbox on its own port and a fresh database, and talks HTTP to it. Every test
//! runs on both engines (`both_engines!`).

mod helpers;

mod assets;
mod auth;
mod branch_work;
mod branches;
mod connection_life;
mod datacenter;
mod drafts;
mod github;
mod instances;
mod memory;
mod migrations;
mod oauth_flow;
mod operations;
mod outage;
mod picker;
mod pipelines;
mod projects;
mod published_shapes;
mod secrets;
mod security;
mod sessions;
mod shutdown;
mod slow_clients;
mod startup;
mod telemetry;
