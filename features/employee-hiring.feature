Feature: Employee hiring (员工录用一件事)
  An employer registers a new hire's employment, social insurance, medical insurance and
  housing provident fund account at once, online.

  Background:
    Given the catalogue in "workflows"
    And today is 2026-11-02
    And a company "Hangzhou Example Technology Co., Ltd."

  Scenario: The labour contract is notified once, then everything is concluded the same day
    When the applicant opens a case of "Employee hiring" online
    And the applicant submits the materials:
      | material |
    And the clerk gives the one-time notice
    Then the one-time notice lists "labour-contract"
    When the applicant supplies "Labour contract" online
    And the clerk accepts the case
    And every item is approved
    Then the case is "ready_for_pickup"
    And the case outcome is "approved"

  Scenario: The labour contract may be owed
    When the applicant opens a case of "employee-hiring" on mobile
    And the applicant submits the materials:
      | material |
    And the clerk accepts the case owing "labour-contract"
    Then "labour-contract" is owed until 2026-11-09
    And the case is due on 2026-11-03
